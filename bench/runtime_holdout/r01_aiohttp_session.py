import asyncio

import aiohttp
from aiohttp import web


async def hello(request):
    return web.Response(text="hi")


async def start_server():
    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, port


class ApiClient:
    def __init__(self, base):
        self.base = base
        self.session = aiohttp.ClientSession()  # EXPECT: unclosed-resource

    async def get(self, path):
        async with self.session.get(self.base + path) as resp:
            return await resp.text()


async def main():
    runner, port = await start_server()
    client = ApiClient(f"http://127.0.0.1:{port}")
    print("body", await client.get("/"))
    await runner.cleanup()


asyncio.run(main())
