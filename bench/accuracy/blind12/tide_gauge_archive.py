"""Monthly archive of a national tide gauge network.

A maintenance script run by the sea-level team: it refreshes the gauge
list from the network's (synchronous) metadata service, then downloads a
month of one-minute water levels from every gauge's data logger and
writes them into the archive's SQLite file. Gauges answer slowly, so the
downloads run concurrently, eight at a time.
"""
import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3

import httpx
import requests

log = logging.getLogger("tide-archive")

METADATA = "https://gauges.sealevel.example/api/stations"
ARCHIVE_DB = "/srv/sealevel/archive.sqlite3"
DOWNLOADS_AT_ONCE = 8


def refresh_gauges(db: sqlite3.Connection) -> int:
    resp = requests.get(METADATA, params={"status": "operational"}, timeout=30)
    resp.raise_for_status()
    stations = resp.json()["stations"]
    db.executemany(
        "INSERT OR REPLACE INTO gauges (code, name, logger_url, datum_m) VALUES (?, ?, ?, ?)",
        [(s["code"], s["name"], s["logger_url"], s["datum_m"]) for s in stations],
    )
    db.commit()
    return len(stations)


def parse_level(line: str) -> tuple[str, float] | None:
    try:
        stamp, value, flag = line.split(",")
        return (stamp, float(value)) if flag.strip() == "0" else None
    except:  # noqa: E722 - logger files contain junk lines after power cuts
        return None


def store(db_path: str, code: str, text: str) -> int:
    rows = [r for r in map(parse_level, text.splitlines()) if r is not None]
    with contextlib.closing(sqlite3.connect(db_path, timeout=30)) as db:
        db.executemany(
            "INSERT OR IGNORE INTO levels (gauge, ts, level_m) VALUES (?, ?, ?)",
            [(code, ts, level) for ts, level in rows],
        )
        db.commit()
    return len(rows)


async def download(client: httpx.AsyncClient, slots: asyncio.Semaphore, gauge: tuple, month: str) -> int:
    code, logger_url = gauge
    async with slots:
        resp = await client.get(f"{logger_url}/export", params={"month": month, "format": "csv"})
    if resp.status_code != 200:
        log.warning("%s: logger answered %s", code, resp.status_code)
        return 0
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, store, ARCHIVE_DB, code, resp.text)


async def harvest(gauges: list[tuple], month: str) -> dict[str, int]:
    slots = asyncio.Semaphore(DOWNLOADS_AT_ONCE)
    async with httpx.AsyncClient(timeout=httpx.Timeout(60, connect=15)) as client:
        counts = await asyncio.gather(
            *(download(client, slots, gauge, month) for gauge in gauges), return_exceptions=True
        )
    result = {}
    for (code, _), count in zip(gauges, counts):
        if isinstance(count, Exception):
            log.warning("%s: %r", code, count)
            count = 0
        result[code] = count
    return result


def harvest_sync(gauges: list[tuple], month: str) -> dict[str, int]:
    return asyncio.run(harvest(gauges, month))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default=(dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"))
    parser.add_argument("--skip-refresh", action="store_true")
    args = parser.parse_args()
    with contextlib.closing(sqlite3.connect(ARCHIVE_DB)) as db:
        if not args.skip_refresh:
            log.info("%d operational gauges", refresh_gauges(db))
        gauges = db.execute("SELECT code, logger_url FROM gauges ORDER BY code").fetchall()
    counts = harvest_sync(gauges, args.month)
    missing = sorted(code for code, n in counts.items() if n == 0)
    log.info("%s: %d gauges archived, %d without data %s", args.month, len(counts) - len(missing),
             len(missing), missing)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
