"""Ingest service for a beekeepers' association's hive scales.

Each scale posts weight, brood temperature and a sound level every ten
minutes. A sudden weight drop in spring means a swarm has left, and the
keeper gets a push alert. Every reading is also archived on the national
bee-health data portal.
"""
import asyncio
import logging
import os

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web

log = logging.getLogger("hive-scales")

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/2")
PORTAL = "https://beehealth.example/api/v1"
PUSH_URL = "https://push.example/api/notify"
WEATHER = "https://api.open-meteo.com/v1/forecast"
SWARM_DROP_KG = 1.8


class HiveIngest:
    redis: aioredis.Redis
    session: aiohttp.ClientSession

    def __init__(self) -> None:
        self._uploads: set[asyncio.Task] = set()

    async def swarm_check(self, hive_id: str, weight_kg: float) -> bool:
        key = f"hive:{hive_id}:weight"
        previous = await self.redis.getset(key, weight_kg)
        return previous is not None and float(previous) - weight_kg > SWARM_DROP_KG

    async def archive(self, hive_id: str, reading: dict) -> None:
        async with self.session.post(f"{PORTAL}/hives/{hive_id}/readings", json=reading) as resp:
            resp.raise_for_status()

    async def on_archive_done(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            await self.redis.rpush("hive:archive:retry", repr(task.exception()))

    async def alert(self, hive_id: str, weight_kg: float) -> None:
        keeper = await self.redis.hget("hive:keepers", hive_id)
        async with self.session.post(
            PUSH_URL, json={"to": keeper, "title": f"Hive {hive_id} may have swarmed",
                            "body": f"weight now {weight_kg:.1f} kg"}
        ) as resp:
            resp.raise_for_status()

    async def reading(self, request: web.Request) -> web.Response:
        hive_id = request.match_info["hive_id"]
        body = await request.json()
        check = asyncio.create_task(self.swarm_check(hive_id, body["weight_kg"]))  # bug: ADC302
        swarmed = await check
        if swarmed:
            await self.alert(hive_id, body["weight_kg"])
        upload = asyncio.create_task(self.archive(hive_id, body))
        self._uploads.add(upload)
        upload.add_done_callback(self._uploads.discard)
        upload.add_done_callback(self.on_archive_done)  # bug: ADC202
        return web.json_response({"swarm_suspected": swarmed})

    async def daily(self, request: web.Request) -> web.Response:
        hive_id = request.match_info["hive_id"]
        lat, lon = (await self.redis.hmget(f"hive:{hive_id}:site", "lat", "lon"))
        weather = asyncio.create_task(self._weather(float(lat), float(lon)))
        weights = await self.redis.lrange(f"hive:{hive_id}:history", -144, -1)
        series = [float(w) for w in weights]
        gain = series[-1] - series[0] if series else 0.0
        forecast = await weather
        return web.json_response({"hive": hive_id, "gain_kg": round(gain, 2), "forecast": forecast})

    async def _weather(self, lat: float, lon: float) -> dict:
        params = {"latitude": lat, "longitude": lon, "daily": "temperature_2m_max,precipitation_sum"}
        async with self.session.get(WEATHER, params=params) as resp:
            resp.raise_for_status()
            return (await resp.json())["daily"]

    async def drain(self) -> None:
        if self._uploads:
            await asyncio.wait(self._uploads, timeout=10)


def create_app() -> web.Application:
    app = web.Application()
    ingest = HiveIngest()
    app.router.add_post("/hives/{hive_id}/readings", ingest.reading)
    app.router.add_get("/hives/{hive_id}/daily", ingest.daily)

    async def clients(app: web.Application):
        ingest.redis = aioredis.from_url(REDIS_URL, decode_responses=True)
        ingest.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        yield
        await ingest.drain()
        await ingest.session.close()
        await ingest.redis.aclose()

    app.cleanup_ctx.append(clients)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(), port=8080)
