"""Monthly music royalty returns for the Fenland Community Radio network.

For each station, the playout system's log of the month is read, every
distinct track is matched to an ISRC through the rights society's search
API, and the return is uploaded as CSV. Cron runs it on the 2nd.
"""
from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import aiohttp

log = logging.getLogger("royalties")
SOCIETY = "https://api.rights-society.example"
STATIONS = ["fenland-fm", "fenland-gold", "wisbech-community", "march-hospital-radio"]
LOG_ROOT = Path("/srv/playout/logs")


def previous_month(today: date | None = None) -> date:
    first = (today or date.today()).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def read_playout_log(station: str, month: date) -> list[dict]:
    path = LOG_ROOT / station / f"{month:%Y-%m}.csv"
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return [row for row in csv.DictReader(f) if row["type"] == "music"]


def headers() -> dict[str, str]:
    return {"X-Api-Key": os.environ["SOCIETY_KEY"]}


async def lookup_isrc(artist: str, title: str, limit: asyncio.Semaphore) -> str | None:
    async with limit:
        async with aiohttp.ClientSession(base_url=SOCIETY, headers=headers()) as session:  # bug: ADC402
            params = {"artist": artist, "title": title, "limit": 1}
            async with session.get("/v2/recordings/search", params=params) as resp:
                resp.raise_for_status()
                hits = (await resp.json())["results"]
    return hits[0]["isrc"] if hits else None


async def build_return(station: str, plays: list[dict]) -> str:
    counts = Counter((p["artist"].strip(), p["title"].strip()) for p in plays)
    keys = list(counts)
    limit = asyncio.Semaphore(8)  # the society allows eight parallel searches per key
    isrcs = await asyncio.gather(*(lookup_isrc(artist, title, limit) for artist, title in keys))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["station", "artist", "title", "isrc", "plays"])
    for (artist, title), isrc in zip(keys, isrcs):
        writer.writerow([station, artist, title, isrc or "", counts[(artist, title)]])
    unmatched = sum(1 for isrc in isrcs if isrc is None)
    if unmatched:
        log.warning("%s: %d of %d tracks without ISRC", station, unmatched, len(keys))
    return out.getvalue()


async def run_station(station: str, month: date, plays: list[dict]) -> str:
    body = await build_return(station, plays)
    form = aiohttp.FormData()
    form.add_field("period", f"{month:%Y-%m}")
    form.add_field("station", station)
    form.add_field("file", body, filename=f"{station}-{month:%Y-%m}.csv", content_type="text/csv")
    async with aiohttp.ClientSession(base_url=SOCIETY, headers=headers()) as session:
        async with session.post("/v2/returns", data=form) as resp:
            resp.raise_for_status()
            return (await resp.json())["receipt"]


def main(argv: list[str]) -> int:
    month = date.fromisoformat(argv[1] + "-01") if len(argv) > 1 else previous_month()
    failed = 0
    for station in STATIONS:
        plays = read_playout_log(station, month)
        if not plays:
            print(f"{station}: no music logged for {month:%B %Y}")
            continue
        try:
            receipt = asyncio.run(run_station(station, month, plays))  # bug: ADC505
        except aiohttp.ClientError as exc:
            print(f"{station}: upload failed: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{station}: {len(plays)} plays filed, receipt {receipt}")
    return 1 if failed else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main(sys.argv))
