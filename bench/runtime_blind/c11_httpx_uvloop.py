"""Status page on uvloop: a synchronous httpx.Client used only from a worker thread (asyncio.to_thread)."""
import asyncio

import httpx
import uvloop
from aiohttp import web

SERVICES = {"api": "up", "db": "degraded", "queue": "up"}


async def status(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    return web.json_response({"service": name, "status": SERVICES[name]})


def collect_sync(base: str) -> dict[str, str]:
    """Blocking on purpose: it runs in a thread, never on the loop."""
    with httpx.Client(base_url=base, timeout=5) as client:
        states = {}
        for name in sorted(SERVICES):
            data = client.get(f"/status/{name}").raise_for_status().json()
            states[data["service"]] = data["status"]
        return states


async def main():
    app = web.Application()
    app.router.add_get("/status/{name}", status)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        result = await asyncio.to_thread(collect_sync, f"http://127.0.0.1:{runner.addresses[0][1]}")
    finally:
        await runner.cleanup()
    for name, state in result.items():
        print(f"{name:<6}{state}")
    print("all up:", all(s == "up" for s in result.values()))


if __name__ == "__main__":
    uvloop.run(main())
