"""Backfill the `zone` column of historical scooter positions after the city
published new zone polygons.

    python scooter_zone_backfill.py zones.geojson

Keyset pagination over the positions table; point-in-polygon tests run in
a process pool; each page is written back in one transaction.
"""
import asyncio
import json
import logging
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import asyncpg
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

log = logging.getLogger("zone-backfill")

PAGE = 5000
WORKERS = 4
_tree: STRtree | None = None
_kinds: list[str] = []


def init_worker(features: list[dict]) -> None:
    global _tree, _kinds
    polygons = [shape(f["geometry"]) for f in features]
    _tree = STRtree(polygons)
    _kinds = [f["properties"]["kind"] for f in features]


def classify(rows: list[tuple[int, float, float]]) -> list[tuple[int, str | None]]:
    out = []
    for pk, lat, lon in rows:
        point = Point(lon, lat)
        hits = [i for i in _tree.query(point) if _tree.geometries[i].contains(point)]
        out.append((pk, _kinds[hits[0]] if hits else None))
    return out


async def backfill(pool: asyncpg.Pool, executor: ProcessPoolExecutor) -> int:
    loop = asyncio.get_running_loop()
    last_id, done = 0, 0
    while True:
        rows = await pool.fetch(
            "SELECT id, lat, lon FROM positions WHERE id > $1 ORDER BY id LIMIT $2", last_id, PAGE
        )
        if not rows:
            return done
        points = [(r["id"], r["lat"], r["lon"]) for r in rows]
        step = -(-len(points) // WORKERS)
        chunks = await asyncio.gather(*(
            loop.run_in_executor(executor, classify, points[i:i + step]) for i in range(0, len(points), step)
        ))
        zones = [z for chunk in chunks for z in chunk]
        async with pool.acquire() as conn, conn.transaction():
            await conn.executemany("UPDATE positions SET zone = $2 WHERE id = $1", zones)
        last_id = rows[-1]["id"]
        done += len(rows)
        if done % (PAGE * 20) == 0:
            log.info("%d positions classified (last id %d)", done, last_id)


async def main(executor: ProcessPoolExecutor) -> int:
    pool = await asyncpg.create_pool(os.environ["FLEET_DSN"], min_size=1, max_size=4)
    try:
        return await backfill(pool, executor)
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    with open(sys.argv[1]) as fh:
        features = json.load(fh)["features"]
    with ProcessPoolExecutor(max_workers=WORKERS, initializer=init_worker, initargs=(features,)) as executor:
        total = asyncio.run(main(executor))
    print(f"classified {total} positions")
