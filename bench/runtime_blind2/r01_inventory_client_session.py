"""A small inventory API (aiohttp) and the client class the storefront uses to talk to it."""
import asyncio

import aiohttp
from aiohttp import web

STOCK = {"sku-1": 4, "sku-2": 0, "sku-3": 17}


async def get_stock(request):
    sku = request.match_info["sku"]
    if sku not in STOCK:
        raise web.HTTPNotFound()
    resp = web.json_response({"sku": sku, "available": STOCK[sku]})
    resp.force_close()  # the inventory service does not keep connections alive
    return resp


class InventoryClient:
    def __init__(self, base_url):
        self._base = base_url
        self._session = None

    async def _ensure_session(self):
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))  # EXPECT: unclosed-resource
        return self._session

    async def available(self, sku):
        session = await self._ensure_session()
        async with session.get(f"{self._base}/stock/{sku}") as resp:
            if resp.status == 404:
                return None
            resp.raise_for_status()
            return (await resp.json())["available"]

    async def close(self):
        if self._session is not None:
            await self._session.close()


async def render_cart(inventory, cart):
    lines = []
    for sku in cart:
        available = await inventory.available(sku)
        if available is None:
            lines.append(f"{sku}: unknown item")
        else:
            lines.append(f"{sku}: {'in stock' if available else 'sold out'}")
    return lines


async def main():
    app = web.Application()
    app.router.add_get("/stock/{sku}", get_stock)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        inventory = InventoryClient(f"http://127.0.0.1:{runner.addresses[0][1]}")
        for line in await render_cart(inventory, ["sku-1", "sku-2", "sku-9", "sku-3"]):
            print(line)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
