"""Remote monitoring of unmanned lighthouses.

Each station's lamp changer and standby battery report through a small
HTTP gateway in the lantern room. If the main lamp fails and the standby
lamp does not light, the attendant for that stretch of coast is paged.
"""
import asyncio
import json
import logging
import os
from pathlib import Path

import aiohttp
import asyncpg

log = logging.getLogger("lighthouses")

CONFIG = Path(os.environ.get("STATIONS_FILE", "/etc/lights/stations.json"))
DB_DSN = os.environ.get("LIGHTS_DSN", "postgresql://lights@localhost/monitor")
PAGER = "https://events.pagerduty.com/v2/enqueue"
ROUTING_KEY = os.environ.get("PD_ROUTING_KEY", "")
POLL_S = 60


class Monitor:
    def __init__(self, session: aiohttp.ClientSession, pool: asyncpg.Pool) -> None:
        self.session = session
        self.pool = pool
        self._followups: set[asyncio.Task] = set()

    def _track(self, task: asyncio.Task) -> None:
        self._followups.add(task)
        task.add_done_callback(self._followups.discard)

    async def read_status(self, station: dict) -> dict:
        url = f"http://{station['gateway']}/status.json"
        async with self.session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def record(self, station: dict, status: dict) -> None:
        await self.pool.execute(
            "INSERT INTO status (station, ts, lamp, standby_lit, battery_v, rotation_ok)"
            " VALUES ($1, now(), $2, $3, $4, $5)",
            station["code"], status["lamp"], status["standby_lit"], status["battery_v"],
            status["rotation_ok"],
        )

    async def page_attendant(self, station: dict, status: dict) -> None:
        event = {
            "routing_key": ROUTING_KEY,
            "event_action": "trigger",
            "dedup_key": f"lamp-{station['code']}",
            "payload": {
                "summary": f"{station['name']}: lamp failed, standby dark",
                "severity": "critical",
                "source": station["gateway"],
                "custom_details": status,
            },
        }
        async with self.session.post(PAGER, json=event) as resp:
            resp.raise_for_status()

    async def note_changeover(self, station: dict) -> None:
        await self.pool.execute(
            "UPDATE lamps SET changed_over = now() WHERE station = $1 AND position = 'main'",
            station["code"],
        )

    async def poll_station(self, station: dict) -> None:
        while True:
            try:
                status = await self.read_status(station)
                await self.record(station, status)
                if status["lamp"] == "failed" and not status["standby_lit"]:
                    asyncio.create_task(self.page_attendant(station, status))  # bug: ADC301
                elif status["lamp"] == "changed_over":
                    self._track(asyncio.create_task(self.note_changeover(station)))
            except BaseException:  # bug: ADC601
                log.exception("poll of %s failed", station["code"])
            await asyncio.sleep(POLL_S)

    async def close(self) -> None:
        for task in list(self._followups):
            task.cancel()
        await asyncio.gather(*self._followups, return_exceptions=True)


async def main(stations: list[dict]) -> None:
    pool = await asyncpg.create_pool(DB_DSN, max_size=4)
    async with aiohttp.ClientSession() as session:
        monitor = Monitor(session, pool)
        try:
            async with asyncio.TaskGroup() as tg:
                for station in stations:
                    tg.create_task(monitor.poll_station(station))
        finally:
            await monitor.close()
            await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(json.loads(CONFIG.read_text())))
