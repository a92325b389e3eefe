"""Follow-ups of a germination test: curator alerts and recount bookings.

Both are written to the outbox table, which the lab's mail relay sends.
"""
import asyncio
import datetime as dt
import logging

import asyncpg

log = logging.getLogger("seedbank.notify")

_pending: set[asyncio.Task] = set()


async def _queue_alert(pool: asyncpg.Pool, accession: str, rate: float) -> None:
    curator = await pool.fetchval("SELECT curator_email FROM accessions WHERE code = $1", accession)
    await pool.execute(
        "INSERT INTO outbox (to_addr, subject, body) VALUES ($1, $2, $3)",
        curator,
        f"Low germination for {accession}",
        f"The latest test of {accession} germinated at {rate:.0%}. Consider regeneration.",
    )


async def _book_recount(pool: asyncpg.Pool, test_id: int, due: dt.date) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("UPDATE tests SET next_count = $2 WHERE id = $1", test_id, due)
        await conn.execute(
            "INSERT INTO lab_calendar (day, task, test_id) VALUES ($1, 'recount', $2)", due, test_id
        )


def alert_curator(pool: asyncpg.Pool, accession: str, rate: float) -> None:
    task = asyncio.create_task(_queue_alert(pool, accession, rate))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


def schedule_recount(pool: asyncpg.Pool, test_id: int, days: int = 7) -> None:
    due = dt.date.today() + dt.timedelta(days=days)
    asyncio.create_task(_book_recount(pool, test_id, due))  # bug: ADC301


async def drain() -> None:
    if _pending:
        await asyncio.gather(*_pending, return_exceptions=True)
