"""Night automation for the Brackenridge University teaching observatory.

Dome and mount speak ASCOM Alpaca over HTTP. At dusk the shutter opens if
the sky is clear; the weather watcher parks and closes everything when rain
or wind comes, and at dawn the observatory is put away regardless.
"""
import asyncio
import itertools
import logging
import os
from datetime import datetime, time, timedelta

import httpx

log = logging.getLogger("observatory")
ALPACA = "http://10.40.0.2:11111/api/v1"
WEATHER = "http://10.40.0.3/api/current"  # the roof's cloud and rain sensor
SHUTTER_OPEN, SHUTTER_CLOSED = 0, 1
CLIENT_ID = 17
DAWN = time(5, 30)


async def _fetch_cloud_cover() -> float:
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(WEATHER)
        resp.raise_for_status()
        return resp.json()["cloud_fraction"]


def cloud_cover_now() -> float:
    """For the night-log script, which is plain Python."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_fetch_cloud_cover())
    finally:
        loop.close()


def seconds_to_dawn(now: datetime | None = None) -> float:
    now = now or datetime.now()
    dawn = datetime.combine(now.date() + timedelta(days=now.time() > DAWN), DAWN)
    return (dawn - now).total_seconds()


class Observatory:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.tx = itertools.count(1)
        self.parked = False
        self._jobs: set[asyncio.Task] = set()

    async def get(self, device: str, prop: str):
        params = {"ClientID": CLIENT_ID, "ClientTransactionID": next(self.tx)}
        resp = await self.http.get(f"{ALPACA}/{device}/0/{prop}", params=params)
        resp.raise_for_status()
        body = resp.json()
        if body["ErrorNumber"]:
            raise RuntimeError(f"{device}.{prop}: {body['ErrorMessage']}")
        return body["Value"]

    async def put(self, device: str, method: str, **params) -> None:
        data = {"ClientID": CLIENT_ID, "ClientTransactionID": next(self.tx), **params}
        resp = await self.http.put(f"{ALPACA}/{device}/0/{method}", data=data)
        resp.raise_for_status()
        if resp.json()["ErrorNumber"]:
            raise RuntimeError(f"{device}.{method}: {resp.json()['ErrorMessage']}")

    async def notify(self, text: str) -> None:
        resp = await self.http.post(os.environ["OBS_WEBHOOK"], json={"text": text})
        resp.raise_for_status()

    async def wait_shutter(self, state: int, timeout: float = 180) -> None:
        async with asyncio.timeout(timeout):
            while await self.get("dome", "shutterstatus") != state:
                await asyncio.sleep(2)

    async def park_all(self) -> None:
        await self.put("telescope", "park")
        async with asyncio.timeout(240):
            while not await self.get("telescope", "atpark"):
                await asyncio.sleep(2)
        await self.put("dome", "closeshutter")
        await self.wait_shutter(SHUTTER_CLOSED)
        self.parked = True

    async def open_for_night(self) -> bool:
        if cloud_cover_now() > 0.6:  # bug: ADC103
            log.info("too cloudy, staying closed")
            return False
        self.parked = False
        await self.put("telescope", "unpark")
        await self.put("dome", "openshutter")
        await self.wait_shutter(SHUTTER_OPEN)
        return True

    async def shutdown_for_weather(self, wx: dict) -> None:
        task = asyncio.create_task(self.park_all())
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)
        await self.notify(f"Closing for weather: rain={wx['rain']}, wind={wx['wind_ms']} m/s")
        while not self.parked:  # bug: ADC503
            await asyncio.sleep(1)
        await self.notify("Observatory parked and closed.")

    async def weather_watch(self) -> None:
        while True:
            resp = await self.http.get(WEATHER)
            resp.raise_for_status()
            wx = resp.json()
            if wx["rain"] or wx["wind_ms"] > 12:
                await self.shutdown_for_weather(wx)
                return
            await asyncio.sleep(30)


async def main() -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        obs = Observatory(http)
        if not await obs.open_for_night():
            return
        try:
            async with asyncio.timeout(seconds_to_dawn()):
                await obs.weather_watch()
        except TimeoutError:
            await obs.park_all()
            await obs.notify("Dawn: observatory parked and closed.")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
