from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg

log = logging.getLogger(__name__)


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await conn.set_type_codec("numeric", encoder=str, decoder=Decimal, schema="pg_catalog")
    return conn


async def create_pool(dsn: str) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=2, max_size=10, command_timeout=30)


class LedgerRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def balance(self, account_id: int) -> Decimal:
        value = await self._pool.fetchval(
            "SELECT coalesce(sum(amount), 0) FROM entries WHERE account_id = $1", account_id
        )
        return Decimal(value)

    async def transfer(self, src: int, dst: int, amount: Decimal) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT 1 FROM accounts WHERE id = ANY($1) FOR UPDATE", [src, dst])
            await conn.execute(
                "INSERT INTO entries (account_id, amount) VALUES ($1, $2), ($3, $4)",
                src, -amount, dst, amount,
            )

    async def statement(self, account_id: int) -> AsyncIterator[asyncpg.Record]:
        async with self._pool.acquire() as conn, conn.transaction():
            async for row in conn.cursor(
                "SELECT * FROM entries WHERE account_id = $1 ORDER BY id", account_id
            ):
                yield row


@contextlib.asynccontextmanager
async def repository(dsn: str) -> AsyncIterator[LedgerRepository]:
    pool = await create_pool(dsn)
    try:
        yield LedgerRepository(pool)
    finally:
        await pool.close()


async def one_off_balance(dsn: str, account_id: int) -> Decimal:
    conn = await connect(dsn)
    try:
        return await conn.fetchval(
            "SELECT coalesce(sum(amount), 0) FROM entries WHERE account_id = $1", account_id
        )
    finally:
        await conn.close()
