"""Feed reader: fetches feeds from a local HTTP server with aiohttp, in one batch."""
import asyncio

import aiohttp
from aiohttp import web

FEEDS = {"news": ["a", "b", "c"], "tech": ["x", "y"], "sports": ["g"]}


async def feed_handler(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    return web.json_response({"feed": name, "items": FEEDS.get(name, [])})


async def fetch_feed(session: aiohttp.ClientSession, base: str, name: str) -> tuple[str, int]:
    async with session.get(f"{base}/feeds/{name}") as resp:
        data = await resp.json()
        return name, len(data["items"])


async def main():
    app = web.Application()
    app.router.add_get("/feeds/{name}", feed_handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            names = sorted(FEEDS)
            jobs = [fetch_feed(session, base, name) for name in names]  # EXPECT: never-awaited
            results = await asyncio.gather(*jobs[:-1])  # the last feed is "optional"
        for name, count in results:
            print(f"{name}: {count} items")
        print("fetched", len(results), "of", len(names))
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
