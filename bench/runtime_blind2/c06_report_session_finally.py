"""Pull a daily report from a local aiohttp service; the client session is closed in `finally`, even on failure."""
import asyncio

import aiohttp
from aiohttp import web

SALES = {"mon": 120, "tue": 98, "wed": 143}


async def daily(request):
    day = request.match_info["day"]
    if day == "thu":
        return web.json_response({"error": "warehouse sync in progress"}, status=503)
    return web.json_response({"day": day, "sales": SALES[day]})


async def start_service():
    app = web.Application()
    app.router.add_get("/sales/{day}", daily)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def fetch_week(base, days):
    session = aiohttp.ClientSession(raise_for_status=True)
    try:
        totals = {}
        for day in days:
            async with session.get(f"{base}/sales/{day}") as resp:
                totals[day] = (await resp.json())["sales"]
            print(f"{day}: {totals[day]}")
        return totals
    finally:
        await session.close()


async def main():
    runner, base = await start_service()
    try:
        totals = await fetch_week(base, ["mon", "tue", "wed", "thu"])
        print("week total:", sum(totals.values()))
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
