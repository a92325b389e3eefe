"""Weather bot: polls a local weather API with aiohttp and posts a summary."""
import asyncio

import aiohttp
from aiohttp import web

READINGS = {"oslo": -3, "lima": 19, "pune": 31}


async def weather(request: web.Request) -> web.Response:
    city = request.match_info["city"]
    return web.json_response({"city": city, "celsius": READINGS[city]})


class WeatherClient:
    def __init__(self, base: str):
        self.base = base
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))  # EXPECT: unclosed-resource

    async def celsius(self, city: str) -> int:
        async with self.session.get(f"{self.base}/weather/{city}") as resp:
            return (await resp.json())["celsius"]


async def summary(base: str) -> list[str]:
    client = WeatherClient(base)
    lines = []
    for city in sorted(READINGS):
        lines.append(f"{city}: {await client.celsius(city)} C")
    return lines


async def main():
    app = web.Application()
    app.router.add_get("/weather/{city}", weather)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        for line in await summary(f"http://127.0.0.1:{runner.addresses[0][1]}"):
            print(line)
    finally:
        await runner.cleanup()
    print("bot finished")


if __name__ == "__main__":
    asyncio.run(main())
