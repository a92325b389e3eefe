"""Shopify Admin REST helpers."""
import re

import aiohttp

API_VERSION = "2024-04"
NEXT_LINK = re.compile(r'<([^>]+)>; rel="next"')


class ShopifyAdmin:
    def __init__(self, shop: str, token: str) -> None:
        self.base = f"https://{shop}.myshopify.com/admin/api/{API_VERSION}"
        self.headers = {"X-Shopify-Access-Token": token}
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "ShopifyAdmin":
        self.session = aiohttp.ClientSession(headers=self.headers, timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.close()

    async def list_variants(self, location_id: int) -> list[dict]:
        """Follow the Link header: each page URL comes from the previous response."""
        url = f"{self.base}/inventory_levels.json?location_ids={location_id}&limit=250"
        levels: list[dict] = []
        while url:
            async with self.session.get(url) as resp:
                resp.raise_for_status()
                levels.extend((await resp.json())["inventory_levels"])
                match = NEXT_LINK.search(resp.headers.get("Link", ""))
                url = match.group(1) if match else None
        return levels


async def set_level(shop: str, token: str, location_id: int, item_id: int, available: int) -> None:
    base = f"https://{shop}.myshopify.com/admin/api/{API_VERSION}"
    async with aiohttp.ClientSession(headers={"X-Shopify-Access-Token": token}) as session:  # bug: ADC402
        async with session.post(f"{base}/inventory_levels/set.json", json={
            "location_id": location_id, "inventory_item_id": item_id, "available": available,
        }) as resp:
            resp.raise_for_status()
