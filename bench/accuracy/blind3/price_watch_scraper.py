from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

import httpx
from selectolax.parser import HTMLParser

log = logging.getLogger("pricewatch")

PRICE_RE = re.compile(r"(\d+[.,]\d{2})")


@dataclass
class Offer:
    shop: str
    url: str
    price: Decimal | None


def parse_price(html: str, selector: str) -> Decimal | None:
    node = HTMLParser(html).css_first(selector)
    if node is None:
        return None
    m = PRICE_RE.search(node.text())
    return Decimal(m.group(1).replace(",", ".")) if m else None


class PriceWatcher:
    def __init__(self, client: httpx.AsyncClient, shops: dict[str, str]) -> None:
        self.client = client
        self.shops = shops

    async def fetch_offer(self, shop: str, url: str) -> Offer:
        try:
            resp = await self.client.get(url, follow_redirects=True)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            log.info("%s: %s", url, exc)
            return Offer(shop, url, None)
        return Offer(shop, url, parse_price(resp.text, self.shops[shop]))

    async def search_urls(self, shop: str, query: str) -> list[str]:
        urls: list[str] = []
        page = 1
        while True:
            resp = await self.client.get(f"https://{shop}/search", params={"q": query, "page": page})
            if resp.status_code == 404:
                break
            found = re.findall(r'href="(/p/[^"]+)"', resp.text)
            if not found:
                break
            urls.extend(f"https://{shop}{path}" for path in found)
            page += 1
        return urls

    async def compare(self, query: str) -> list[Offer]:
        per_shop = {}
        for shop in self.shops:
            per_shop[shop] = await self.search_urls(shop, query)  # bug: ADC501
        offers = await asyncio.gather(  # bug: ADC502
            *(self.fetch_offer(shop, url) for shop, urls in per_shop.items() for url in urls)
        )
        priced = [o for o in offers if o.price is not None]
        return sorted(priced, key=lambda o: o.price)
