"""Snapshot every public bike-share system listed in the GBFS catalogue.

Run hourly by cron; writes one JSON-lines file per run for the research
dataset.
"""
import asyncio
import csv
import io
import json
import logging
import sys
import time
from dataclasses import dataclass

import aiohttp

log = logging.getLogger("gbfs")

CATALOGUE = "https://raw.githubusercontent.com/MobilityData/gbfs/master/systems.csv"


@dataclass
class System:
    system_id: str
    name: str
    country: str
    discovery_url: str


async def get_json(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as resp:
        resp.raise_for_status()
        return await resp.json(content_type=None)


async def load_catalogue(session: aiohttp.ClientSession) -> list[System]:
    async with session.get(CATALOGUE) as resp:
        resp.raise_for_status()
        text = await resp.text()
    rows = csv.DictReader(io.StringIO(text))
    return [System(r["System ID"], r["Name"], r["Country Code"], r["Auto-Discovery URL"]) for r in rows]


async def snapshot_system(session: aiohttp.ClientSession, system: System) -> dict | None:
    try:
        discovery = await get_json(session, system.discovery_url)
        lang = next(iter(discovery["data"]))
        feeds = {f["name"]: f["url"] for f in discovery["data"][lang]["feeds"]}
        info = await get_json(session, feeds["station_information"])  # bug: ADC501 @feeds
        status = await get_json(session, feeds["station_status"])  # bug: ADC501 @feeds
    except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, StopIteration) as exc:
        log.info("%s skipped: %s", system.system_id, exc)
        return None
    capacity = {s["station_id"]: s.get("capacity") for s in info["data"]["stations"]}
    return {
        "system": system.system_id,
        "country": system.country,
        "taken_at": int(time.time()),
        "stations": [
            {"id": s["station_id"], "bikes": s.get("num_bikes_available"), "capacity": capacity.get(s["station_id"])}
            for s in status["data"]["stations"]
        ],
    }


async def collect() -> list[dict]:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": "gbfs-research/1.0"}) as session:
        systems = await load_catalogue(session)
        snapshots = await asyncio.gather(*(snapshot_system(session, s) for s in systems))  # bug: ADC502
    return [s for s in snapshots if s]


def main(out_dir: str) -> None:
    snapshots = asyncio.run(collect())
    path = f"{out_dir}/gbfs-{time.strftime('%Y%m%dT%H%M')}.jsonl"
    with open(path, "w") as fh:
        for snap in snapshots:
            fh.write(json.dumps(snap) + "\n")
    log.info("wrote %d systems to %s", len(snapshots), path)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
