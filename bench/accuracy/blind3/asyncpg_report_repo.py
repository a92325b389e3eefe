from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import asyncpg


@dataclass
class StoreDay:
    store_id: int
    day: dt.date
    revenue: float
    orders: int


class ReportRepository:
    def __init__(self, pool: asyncpg.Pool, replica_dsn: str) -> None:
        self._pool = pool
        self._replica_dsn = replica_dsn

    async def store_day(self, store_id: int, day: dt.date) -> StoreDay:
        row = await self._pool.fetchrow(
            "SELECT coalesce(sum(total), 0) AS revenue, count(*) AS orders "
            "FROM orders WHERE store_id = $1 AND created_at::date = $2",
            store_id,
            day,
        )
        return StoreDay(store_id, day, float(row["revenue"]), row["orders"])

    async def daily_report(self, store_ids: Iterable[int], day: dt.date) -> list[StoreDay]:
        report = []
        for store_id in store_ids:
            report.append(await self.store_day(store_id, day))  # bug: ADC501
        return report

    async def monthly_series(self, store_id: int, month: dt.date) -> list[StoreDay]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT created_at::date AS day, sum(total) AS revenue, count(*) AS orders "
                "FROM orders WHERE store_id = $1 AND date_trunc('month', created_at) = $2 "
                "GROUP BY 1 ORDER BY 1",
                store_id,
                month,
            )
        return [StoreDay(store_id, r["day"], float(r["revenue"]), r["orders"]) for r in rows]

    async def replication_lag(self) -> float:
        conn = await asyncpg.connect(self._replica_dsn, timeout=5)  # bug: ADC401
        lag = await conn.fetchval(
            "SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
        )
        return float(lag or 0.0)

    async def rebuild_rollups(self, days: list[dt.date]) -> int:
        rebuilt = 0
        async with self._pool.acquire() as conn:
            async with conn.transaction():
                for day in days:
                    await conn.execute("DELETE FROM daily_rollup WHERE day = $1", day)
                    status = await conn.execute(
                        "INSERT INTO daily_rollup (day, store_id, revenue, orders) "
                        "SELECT $1, store_id, sum(total), count(*) FROM orders "
                        "WHERE created_at::date = $1 GROUP BY store_id",
                        day,
                    )
                    rebuilt += int(status.split()[-1])
        return rebuilt
