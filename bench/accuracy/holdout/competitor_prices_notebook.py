# %% [markdown]
# # Competitor price check
#
# Run the cells top to bottom.  `nest_asyncio` lets `asyncio.run` work inside
# the Jupyter kernel's own loop.

# %%
import asyncio
import os

import aiohttp
import nest_asyncio
import pandas as pd
from bs4 import BeautifulSoup

nest_asyncio.apply()

SKUS = pd.read_csv("skus.csv")["sku"].tolist()
SHOPS = {
    "alpha": "https://alpha-shop.example/p/{sku}",
    "bravo": "https://bravo.example/product?id={sku}",
    "charlie": "https://www.charlie.example/items/{sku}.html",
}
SLACK_WEBHOOK = os.environ.get("SLACK_WEBHOOK", "")

# %%
async def price_at(session, shop, sku):
    async with session.get(SHOPS[shop].format(sku=sku)) as r:
        if r.status == 404:
            return None
        html = await r.text()
    tag = BeautifulSoup(html, "html.parser").select_one(".price, [itemprop=price]")
    if tag is None:
        return None
    return float(tag.get_text().strip("€ \n").replace(".", "").replace(",", "."))


async def post_to_slack(session, text):
    if SLACK_WEBHOOK:
        async with session.post(SLACK_WEBHOOK, json={"text": text}) as r:
            r.raise_for_status()


# %%
async def scrape():
    rows = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        for sku in SKUS:
            row = {"sku": sku}
            for shop in SHOPS:
                row[shop] = await price_at(session, shop, sku)  # bug: ADC501
            rows.append(row)
            await asyncio.sleep(0.5)  # be polite to the shops between SKUs
        post_to_slack(session, f"price check done: {len(rows)} SKUs")  # bug: ADC201
    return pd.DataFrame(rows).set_index("sku")

df = asyncio.run(scrape())
df.describe()

# %%
cheapest = df.idxmin(axis=1)
cheapest.value_counts()

# %%
df.to_csv("prices.csv")
