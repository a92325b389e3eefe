import asyncio
import datetime as dt
import logging
import os

import asyncpg

logger = logging.getLogger(__name__)
DSN = os.environ["ANALYTICS_DSN"]

ROLLUP_SQL = """
INSERT INTO daily_rollup (day, site_id, views, visitors)
SELECT $1::date, site_id, count(*), count(DISTINCT visitor_id)
FROM pageviews WHERE viewed_at >= $1::date AND viewed_at < $1::date + 1
GROUP BY site_id
ON CONFLICT (day, site_id) DO UPDATE SET views = EXCLUDED.views, visitors = EXCLUDED.visitors
"""


async def rollup(day: dt.date) -> None:
    pool = await asyncpg.create_pool(DSN, min_size=1, max_size=4)  # bug: ADC401
    async with pool.acquire() as conn:
        status = await conn.execute(ROLLUP_SQL, day)
    logger.info("rollup for %s: %s", day, status)


async def purge_raw(day: dt.date, keep_days: int = 90) -> None:
    cutoff = day - dt.timedelta(days=keep_days)
    pool = await asyncpg.create_pool(DSN, min_size=1, max_size=2)
    try:
        await pool.execute("DELETE FROM pageviews WHERE viewed_at < $1", cutoff)
    finally:
        await pool.close()


if __name__ == "__main__":
    yesterday = dt.date.today() - dt.timedelta(days=1)
    asyncio.run(rollup(yesterday))
    asyncio.run(purge_raw(yesterday))
