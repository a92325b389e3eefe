"""An aiohttp tenant API on 127.0.0.1 with a legacy settings loader, called by an httpx client."""
import asyncio
import time

import httpx
from aiohttp import web

_SETTINGS = {}
INVOICES = {
    "acme": [{"id": "INV-1", "total": 120.0}, {"id": "INV-2", "total": 75.5}],
}


def load_settings(tenant):
    """Settings come from a legacy config share; cached after the first read."""
    if tenant not in _SETTINGS:
        time.sleep(0.12)  # EXPECT: blocking-call 120ms
        _SETTINGS[tenant] = {"tenant": tenant, "currency": "EUR", "theme": "dark"}
    return _SETTINGS[tenant]


async def get_settings(request):
    tenant = request.match_info["tenant"]
    if tenant not in INVOICES:
        raise web.HTTPNotFound(text=f"no tenant {tenant}")
    return web.json_response(load_settings(tenant))


async def get_invoices(request):
    tenant = request.match_info["tenant"]
    invoices = INVOICES.get(tenant)
    if invoices is None:
        raise web.HTTPNotFound(text=f"no tenant {tenant}")
    await asyncio.sleep(0.01)  # database query
    return web.json_response({"tenant": tenant, "invoices": invoices})


async def start_server():
    app = web.Application()
    app.router.add_get("/tenants/{tenant}/settings", get_settings)
    app.router.add_get("/tenants/{tenant}/invoices", get_invoices)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


async def main(client):
    runner, port = await start_server()
    base = f"http://127.0.0.1:{port}"
    try:
        async with client:
            resp = await client.get(f"{base}/tenants/acme/invoices")
            print("invoices", resp.status_code, len(resp.json()["invoices"]))
            resp = await client.get(f"{base}/tenants/acme/settings")
            print("settings", resp.status_code, resp.json()["currency"])
            again, missing = await asyncio.gather(
                client.get(f"{base}/tenants/acme/settings"), client.get(f"{base}/tenants/nobody/settings")
            )
            print("settings again", again.status_code, again.json()["theme"])
            print("unknown tenant", missing.status_code, missing.text)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    # one shared client for the whole run, built before the loop starts
    http = httpx.AsyncClient(trust_env=False, timeout=5.0)
    asyncio.run(main(http))
