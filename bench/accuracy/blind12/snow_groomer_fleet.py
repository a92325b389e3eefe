"""Night grooming report for a ski resort's fleet of snow groomers.

Every 15 minutes the service pulls the fleet's positions and snow depth
measurements from the manufacturer's fleet API, matches them to the piste
sections and updates the grooming map shown on the resort's app in the
morning. Section updates go through a fixed pool of four workers because
the map service allows four writers.
"""
import asyncio
import contextlib
import logging
import os
import signal

import aiohttp
import asyncpg

log = logging.getLogger("groomers")

FLEET_API = "https://fleet.groomer-maker.example/api/v2"
MAP_API = "https://map.resort.example/api/sections"
DB_DSN = os.environ.get("GROOMING_DSN", "postgresql://grooming@localhost/night")
PERIOD_S = 900
MAP_WRITERS = 4
LAYERS = ("positions", "depth", "tiller")


class GroomingReport:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {os.environ.get('FLEET_TOKEN', '')}"},
            timeout=aiohttp.ClientTimeout(total=20),
        )
        self.stop = asyncio.Event()
        self.updates: asyncio.Queue[tuple[str, dict]] = asyncio.Queue(maxsize=200)

    async def close(self) -> None:
        await self.session.close()

    async def layer(self, name: str) -> list[dict]:
        async with self.session.get(f"{FLEET_API}/fleet/{name}", params={"since": "15m"}) as resp:
            resp.raise_for_status()
            return (await resp.json())["items"]

    async def map_writer(self, number: int) -> None:
        while True:
            section, state = await self.updates.get()
            try:
                async with self.session.put(f"{MAP_API}/{section}", json=state) as resp:
                    resp.raise_for_status()
            except aiohttp.ClientError as exc:
                log.warning("writer %d: section %s not updated (%s)", number, section, exc)
            finally:
                self.updates.task_done()

    async def sweep(self) -> None:
        positions, depth, tiller = await asyncio.gather(*(self.layer(name) for name in LAYERS))
        tilling = {t["vehicle"] for t in tiller if t["down"]}
        rows = await self.pool.fetch(
            "SELECT s.code, v.vehicle FROM unnest($1::text[], $2::float8[], $3::float8[]) AS v(vehicle, lat, lon)"
            " JOIN sections s ON ST_Contains(s.geom, ST_MakePoint(v.lon, v.lat))",
            [p["vehicle"] for p in positions], [p["lat"] for p in positions], [p["lon"] for p in positions],
        )
        depth_by_vehicle = {d["vehicle"]: d["snow_cm"] for d in depth}
        for row in rows:
            if row["vehicle"] in tilling:
                state = {"groomed": True, "snow_cm": depth_by_vehicle.get(row["vehicle"])}
                await self.updates.put((row["code"], state))
        await self.updates.join()
        log.info("sweep done: %d sections touched", len(rows))

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            writers = [tg.create_task(self.map_writer(n)) for n in range(MAP_WRITERS)]
            while not self.stop.is_set():
                try:
                    await self.sweep()
                except aiohttp.ClientError as exc:
                    log.warning("sweep failed: %s", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=PERIOD_S)
            for writer in writers:
                writer.cancel()


async def main() -> None:
    pool = await asyncpg.create_pool(DB_DSN, max_size=3)
    report = GroomingReport(pool)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, report.stop.set)
    loop.add_signal_handler(signal.SIGINT, report.stop.set)
    try:
        await report.run()
    finally:
        await report.close()
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
