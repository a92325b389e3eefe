"""City cycle counters: pull counts from the vendor cloud, feed the LED totems, monthly open data export."""
import asyncio
import logging
import os
import signal
from datetime import date, datetime, timedelta

import aiohttp
import asyncpg

log = logging.getLogger("cyclecount")

VENDOR = "https://api.counters-cloud.example/v2"
VENDOR_LIMIT = asyncio.Semaphore(5)
TOTEMS = {
    "bridge-st": "http://10.40.1.11",
    "riverside": "http://10.40.1.12",
    "station-sq": "http://10.40.1.13",
    "university": "http://10.40.1.14",
}
REFRESH_S = 300


async def counter_today(http: aiohttp.ClientSession, counter_id: str) -> tuple[str, int]:
    async with VENDOR_LIMIT:
        async with http.get(f"{VENDOR}/counters/{counter_id}/data", params={"begin": date.today().isoformat(),
                                                                           "step": "day"}) as resp:
            resp.raise_for_status()
            rows = await resp.json()
    return counter_id, sum(r["counts"] for r in rows)


async def push_totem(http: aiohttp.ClientSession, url: str, today: int, year: int) -> None:
    async with http.post(f"{url}/display", json={"line1": f"{today:,} today", "line2": f"{year:,} this year"}) as resp:
        if resp.status != 200:
            log.warning("totem %s answered %s", url, resp.status)


async def refresh(pool: asyncpg.Pool, http: aiohttp.ClientSession) -> None:
    counters = await pool.fetch("select vendor_id, totem from counters where active")
    results = await asyncio.gather(*(counter_today(http, c["vendor_id"]) for c in counters), return_exceptions=True)
    counts = dict(r for r in results if isinstance(r, tuple))
    await pool.executemany(
        "insert into daily_counts (vendor_id, day, cyclists) values ($1, current_date, $2)"
        " on conflict (vendor_id, day) do update set cyclists = excluded.cyclists",
        list(counts.items()),
    )
    year_totals = dict(await pool.fetch(
        "select c.totem, sum(d.cyclists) from daily_counts d join counters c using (vendor_id)"
        " where d.day >= date_trunc('year', current_date) group by c.totem"
    ))
    async with asyncio.TaskGroup() as tg:
        for totem, url in TOTEMS.items():
            today = sum(counts.get(c["vendor_id"], 0) for c in counters if c["totem"] == totem)
            tg.create_task(push_totem(http, url, today, year_totals.get(totem, 0)))


async def monthly_export(http: aiohttp.ClientSession, month: date) -> str:
    async with http.post(f"{VENDOR}/exports", json={"month": month.strftime("%Y-%m"), "format": "csv"}) as resp:
        job = (await resp.json())["id"]
    async with asyncio.timeout(1800):
        while True:
            async with http.get(f"{VENDOR}/exports/{job}") as resp:
                status = await resp.json()
            if status["state"] == "done":
                return status["download_url"]
            if status["state"] == "failed":
                raise RuntimeError(f"export {job} failed: {status.get('error')}")
            await asyncio.sleep(20)


async def main() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    pool = await asyncpg.create_pool(os.environ["COUNTS_DSN"], max_size=4)
    headers = {"X-Api-Key": os.environ["COUNTERS_KEY"]}
    exported: set[str] = set()
    try:
        async with aiohttp.ClientSession(headers=headers, timeout=aiohttp.ClientTimeout(total=30)) as http:
            while not stop.is_set():
                try:
                    await refresh(pool, http)
                    last_month = (datetime.now().replace(day=1) - timedelta(days=1)).date().replace(day=1)
                    if datetime.now().day == 2 and last_month.isoformat() not in exported:
                        url = await monthly_export(http, last_month)
                        await pool.execute("insert into open_data_exports (month, url) values ($1, $2)", last_month, url)
                        exported.add(last_month.isoformat())
                except asyncio.CancelledError:
                    log.info("stopping mid-refresh")
                    raise
                except (aiohttp.ClientError, asyncpg.PostgresError, RuntimeError, TimeoutError):
                    log.exception("refresh failed, trying again next cycle")
                try:
                    await asyncio.wait_for(stop.wait(), timeout=REFRESH_S)
                except asyncio.TimeoutError:
                    pass
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
