"""Todo API (aiohttp.web) and its client, both shut down cleanly."""
import asyncio

import aiohttp
from aiohttp import web


class TodoAPI:
    def __init__(self):
        self.items: list[dict] = []

    async def create(self, request: web.Request) -> web.Response:
        body = await request.json()
        item = {"id": len(self.items) + 1, "title": body["title"], "done": False}
        self.items.append(item)
        return web.json_response(item, status=201)

    async def complete(self, request: web.Request) -> web.Response:
        item = self.items[int(request.match_info["id"]) - 1]
        item["done"] = True
        return web.json_response(item)

    async def listing(self, request: web.Request) -> web.Response:
        return web.json_response(self.items)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/todos", self.create)
        app.router.add_post("/todos/{id}/done", self.complete)
        app.router.add_get("/todos", self.listing)
        return app


async def client_session(base: str):
    async with aiohttp.ClientSession(base) as session:
        for title in ["write tests", "fix bug", "ship"]:
            async with session.post("/todos", json={"title": title}) as resp:
                assert resp.status == 201
        async with session.post("/todos/2/done") as resp:
            await resp.read()
        async with session.get("/todos") as resp:
            return await resp.json()


async def main():
    runner = web.AppRunner(TodoAPI().app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        todos = await client_session(f"http://127.0.0.1:{runner.addresses[0][1]}")
    finally:
        await runner.cleanup()
    for todo in todos:
        print(f"[{'x' if todo['done'] else ' '}] {todo['id']} {todo['title']}")


if __name__ == "__main__":
    asyncio.run(main())
