import asyncio
import logging
import random
from time import sleep

from requests import get as http_get
from bs4 import BeautifulSoup

logger = logging.getLogger("scraper")

HEADERS = {"User-Agent": "Mozilla/5.0 (price-watch bot)"}
RETRIES = 4


def parse_price(html):
    soup = BeautifulSoup(html, "html.parser")
    tag = soup.select_one("span.price")
    if tag is None:
        return None
    return float(tag.text.strip().lstrip("$").replace(",", ""))


async def fetch_page(url):
    for attempt in range(RETRIES):
        try:
            resp = http_get(url, headers=HEADERS, timeout=15)  # bug: ADC101
            resp.raise_for_status()
            return resp.text
        except Exception as exc:
            delay = 2 ** attempt + random.random()
            logger.warning("fetch %s failed (%s), retrying in %.1fs", url, exc, delay)
            sleep(delay)  # bug: ADC101
    raise RuntimeError(f"giving up on {url}")


async def watch(url, threshold):
    html = await fetch_page(url)
    price = parse_price(html)
    if price is not None and price < threshold:
        logger.info("deal! %s is at %.2f", url, price)
        return price
    return None


async def main(products):
    results = await asyncio.gather(*(watch(url, limit) for url, limit in products[:3]))
    for (url, _), price in zip(products, results):
        print(url, price)


if __name__ == "__main__":
    asyncio.run(main([
        ("https://shop.example.com/item/1", 25.0),
        ("https://shop.example.com/item/2", 99.0),
        ("https://shop.example.com/item/3", 10.0),
    ]))
