#!/usr/bin/env python3
"""Cron, 02:10 UTC: roll the last days' raw events into per-day totals."""
import asyncio
import datetime as dt
import logging
import os

import asyncpg

log = logging.getLogger("rollup")

DSN = os.environ["WAREHOUSE_DSN"]
METRICS = ("signups", "orders", "refunds")


async def per_metric_counts(pool, day):
    counts = {}
    for metric in METRICS:
        counts[metric] = await pool.fetchval(  # bug: ADC501
            "SELECT count(*) FROM raw_events WHERE kind = $1 AND occurred_at::date = $2", metric, day
        )
    return counts


async def main(days_back: int = 1) -> None:
    pool = await asyncpg.create_pool(DSN, max_size=4)  # bug: ADC401
    today = dt.date.today()
    start = today - dt.timedelta(days=days_back)
    rows = await pool.fetch(
        "SELECT occurred_at::date AS day, count(*) AS n FROM raw_events"
        " WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY 1",
        start,
        today,
    )
    totals = {r["day"]: r["n"] for r in rows}
    async with pool.acquire() as conn:
        async with conn.transaction():
            # upserts in date order so the running totals column stays consistent
            for day in sorted(totals):
                await conn.execute(
                    "INSERT INTO daily_totals (day, events, running) VALUES ($1, $2,"
                    " $2 + coalesce((SELECT running FROM daily_totals WHERE day = $1 - 1), 0))"
                    " ON CONFLICT (day) DO UPDATE SET events = EXCLUDED.events, running = EXCLUDED.running",
                    day,
                    totals[day],
                )
    yesterday = today - dt.timedelta(days=1)
    log.info("yesterday: %s", await per_metric_counts(pool, yesterday))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(int(os.environ.get("DAYS_BACK", "1"))))
