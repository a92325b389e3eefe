import asyncio

import aiohttp
from aiohttp import web


async def hello(request):
    return web.json_response({"ok": True})


async def main():
    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(3):
                async with session.get(f"http://127.0.0.1:{port}/") as resp:
                    data = await resp.json()
        print("ok", data["ok"])
    finally:
        await runner.cleanup()


asyncio.run(main())
