"""Prefetch map tiles for field tablets that work offline (MBTiles output)."""
import asyncio
import logging
import math
import sqlite3

import aiohttp

log = logging.getLogger("tiles")

TILE_URL = "https://tiles.internal/osm/{z}/{x}/{y}.png"


def tiles_for_bbox(west: float, south: float, east: float, north: float, zoom: int):
    def to_xy(lon: float, lat: float) -> tuple[int, int]:
        n = 2 ** zoom
        x = int((lon + 180.0) / 360.0 * n)
        y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
        return x, y

    x0, y1 = to_xy(west, south)
    x1, y0 = to_xy(east, north)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            yield zoom, x, y


class Prefetcher:
    def __init__(self, workers: int = 8) -> None:
        self.queue: asyncio.Queue[tuple[int, int, int]] = asyncio.Queue()
        self.results: asyncio.Queue[tuple[int, int, int, bytes]] = asyncio.Queue()
        self.workers = workers
        self.pending = 0

    async def worker(self, session: aiohttp.ClientSession) -> None:
        while True:
            z, x, y = await self.queue.get()
            try:
                async with session.get(TILE_URL.format(z=z, x=x, y=y)) as resp:
                    if resp.status == 200:
                        await self.results.put((z, x, y, await resp.read()))
            except aiohttp.ClientError as exc:
                log.warning("tile %s/%s/%s failed: %s", z, x, y, exc)
            finally:
                self.pending -= 1
                self.queue.task_done()

    async def fetch(self, bbox: tuple[float, float, float, float], zooms: range) -> list[tuple]:
        session = aiohttp.ClientSession(headers={"User-Agent": "field-tiles/2.0"})  # bug: ADC401
        workers = [asyncio.create_task(self.worker(session)) for _ in range(self.workers)]
        for z in zooms:
            for tile in tiles_for_bbox(*bbox, z):
                self.pending += 1
                self.queue.put_nowait(tile)
        asyncio.create_task(self.report_progress())  # bug: ADC301
        while self.pending > 0:  # bug: ADC503
            await asyncio.sleep(0.25)
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        out = []
        while not self.results.empty():
            out.append(self.results.get_nowait())
        return out

    async def report_progress(self) -> None:
        while self.pending:
            log.info("%d tiles to go", self.pending)
            await asyncio.sleep(5)


def write_mbtiles(path: str, tiles: list[tuple]) -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS tiles (zoom_level, tile_column, tile_row, tile_data)")
        db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                       [(z, x, (2 ** z - 1) - y, data) for z, x, y, data in tiles])
    db.close()


if __name__ == "__main__":
    got = asyncio.run(Prefetcher().fetch((5.95, 45.8, 6.25, 46.05), range(10, 16)))
    write_mbtiles("geneva.mbtiles", got)
