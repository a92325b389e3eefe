"""AIS vessel tracker for a harbour master's office.

Two sources: the regional coast station's NMEA feed over TCP, and the pilot
station's receiver, which forwards NMEA over UDP and is read with pyais'
blocking UDPReceiver on its own thread. Positions are batched into PostGIS
every few seconds.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading

import asyncpg
import pyais
from pyais.stream import UDPReceiver

log = logging.getLogger("ais")
COAST_STATION = (os.environ.get("AIS_HOST", "ais.coast.example"), int(os.environ.get("AIS_PORT", "5631")))
PILOT_UDP = ("0.0.0.0", 10110)
FLUSH_EVERY = 5.0


class Tracker:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.batch: list[tuple] = []
        self.messages: asyncio.Queue[bytes] = asyncio.Queue(maxsize=10_000)

    def pilot_thread(self, loop: asyncio.AbstractEventLoop, stop: threading.Event) -> None:
        """Blocking UDP reader; hands sentences to the loop thread-safely."""
        for msg in UDPReceiver(*PILOT_UDP):
            if stop.is_set():
                return
            asyncio.run_coroutine_threadsafe(self.messages.put(msg.raw), loop).result(timeout=5)

    async def coast_feed(self) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_connection(*COAST_STATION)
            except OSError as exc:
                log.warning("coast station unreachable: %s", exc)
                await asyncio.sleep(10)
                continue
            try:
                while line := await reader.readline():
                    await self.messages.put(line.strip())
            except ConnectionError as exc:
                log.warning("coast feed dropped: %s", exc)
            finally:
                writer.close()
            await asyncio.sleep(10)

    async def decode(self) -> None:
        while True:
            sentence = await self.messages.get()
            try:
                msg = pyais.decode(sentence).asdict()
            except pyais.exceptions.InvalidNMEAMessageException:
                continue
            if msg.get("msg_type") in (1, 2, 3, 18) and msg.get("lat") is not None:
                self.batch.append((msg["mmsi"], msg["lon"], msg["lat"], msg.get("speed"), msg.get("course")))

    async def flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            rows, self.batch = self.batch, []
            if not rows:
                continue
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.executemany(
                    "INSERT INTO positions (mmsi, geom, sog, cog, at) "
                    "VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, $5, now())", rows)
                await conn.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY latest_positions")


async def main() -> None:
    loop = asyncio.get_running_loop()
    stop = threading.Event()
    async with asyncpg.create_pool(os.environ["HARBOUR_DSN"]) as pool:
        tracker = Tracker(pool)
        threading.Thread(target=tracker.pilot_thread, args=(loop, stop), daemon=True).start()
        flusher = asyncio.create_task(tracker.flush_forever())
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(tracker.coast_feed())
                tg.create_task(tracker.decode())
        finally:
            stop.set()
            flusher.cancel()
            try:
                await flusher
            except asyncio.CancelledError:
                pass


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
