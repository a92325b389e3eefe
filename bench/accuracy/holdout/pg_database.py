"""Thin wrapper around asyncpg used by the admin service."""
import asyncio
import contextlib
import logging
from typing import AsyncIterator

import asyncpg

log = logging.getLogger(__name__)


class Database:
    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self._dsn = dsn
        self._min = min_size
        self._max = max_size
        self._pool: asyncpg.Pool | None = None

    async def connect(self) -> None:
        self._pool = await asyncpg.create_pool(self._dsn, min_size=self._min, max_size=self._max)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        assert self._pool is not None, "call connect() first"
        async with self._pool.acquire() as conn:
            async with conn.transaction():
                yield conn

    async def healthy(self) -> bool:
        """Used by the load balancer probe: checks that a *new* connection works."""
        try:
            conn = await asyncpg.connect(self._dsn, timeout=2)  # bug: ADC401
            return await conn.fetchval("SELECT 1") == 1
        except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
            return False


async def _lookup_user(dsn: str, user_id: int):
    conn = await asyncpg.connect(dsn)  # bug: ADC402
    try:
        return await conn.fetchrow("SELECT id, email, plan FROM users WHERE id = $1", user_id)
    finally:
        await conn.close()


async def load_users(dsn: str, ids: list[int]) -> list:
    sem = asyncio.Semaphore(8)

    async def one(user_id: int):
        async with sem:
            return await _lookup_user(dsn, user_id)

    return await asyncio.gather(*(one(i) for i in ids))


async def copy_tenants(db: Database, tenant_dsns: dict[str, str]) -> None:
    """Each tenant lives in its own database: one connection per tenant is unavoidable."""
    for tenant, dsn in tenant_dsns.items():
        src = await asyncpg.connect(dsn)
        try:
            rows = await src.fetch("SELECT id, name, created_at FROM projects")
        finally:
            await src.close()
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM all_projects WHERE tenant = $1", tenant)
            await conn.copy_records_to_table(
                "all_projects",
                records=[(tenant, r["id"], r["name"], r["created_at"]) for r in rows],
                columns=["tenant", "project_id", "name", "created_at"],
            )
        log.info("copied %d projects of %s", len(rows), tenant)
