"""Rebuild account balances by replaying the event log in order."""
import asyncio
import logging
import os
from decimal import Decimal

import asyncpg

log = logging.getLogger("projector")

MIGRATIONS = [
    "CREATE TABLE IF NOT EXISTS balances (account_id bigint PRIMARY KEY, balance numeric NOT NULL)",
    "ALTER TABLE balances ADD COLUMN IF NOT EXISTS last_seq bigint NOT NULL DEFAULT 0",
    "CREATE INDEX IF NOT EXISTS balances_last_seq ON balances (last_seq)",
]


async def migrate(conn: asyncpg.Connection) -> None:
    # each statement depends on the previous one
    for stmt in MIGRATIONS:
        await conn.execute(stmt)


async def apply(conn: asyncpg.Connection, event: asyncpg.Record) -> None:
    delta = Decimal(event["amount"]) * (1 if event["kind"] == "credit" else -1)
    await conn.execute(
        "INSERT INTO balances (account_id, balance, last_seq) VALUES ($1, $2, $3)"
        " ON CONFLICT (account_id) DO UPDATE SET balance = balances.balance + $2, last_seq = $3",
        event["account_id"],
        delta,
        event["seq"],
    )


async def replay(pool: asyncpg.Pool, batch: int = 5000) -> int:
    applied = 0
    async with pool.acquire() as conn:
        await migrate(conn)
        last = await conn.fetchval("SELECT coalesce(max(last_seq), 0) FROM balances")
        while True:
            events = await conn.fetch(
                "SELECT seq, account_id, kind, amount FROM ledger_events WHERE seq > $1 ORDER BY seq LIMIT $2",
                last,
                batch,
            )
            if not events:
                return applied
            async with conn.transaction():
                for event in events:
                    await apply(conn, event)
            last = events[-1]["seq"]
            applied += len(events)
            log.info("applied up to seq %d", last)


async def main() -> None:
    async with asyncpg.create_pool(os.environ["LEDGER_DSN"], max_size=2) as pool:
        n = await replay(pool)
    log.info("replayed %d events", n)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
