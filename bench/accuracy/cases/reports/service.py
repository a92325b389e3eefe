from __future__ import annotations

import datetime as dt
import logging

import asyncpg

from .storage import LocalStore, render_csv

logger = logging.getLogger(__name__)


class ReportService:
    def __init__(self, pool: asyncpg.Pool, root: str) -> None:
        self._pool = pool
        self._store = LocalStore(root)

    async def _daily_rows(self, day: dt.date) -> list[dict]:
        rows = await self._pool.fetch(
            "SELECT sku, sum(qty) AS qty, sum(total) AS total FROM sales"
            " WHERE sold_at::date = $1 GROUP BY sku ORDER BY sku",
            day,
        )
        return [dict(r) for r in rows]

    async def build_daily(self, day: dt.date) -> str:
        rows = await self._daily_rows(day)
        payload = {"day": day.isoformat(), "rows": rows, "csv": render_csv(rows)}
        path = self._store.save(f"sales-{day.isoformat()}", payload)  # bug: ADC101
        logger.info("daily report for %s written to %s", day, path)
        return str(path)

    async def rotate(self, day: dt.date) -> None:
        name = f"sales-{day.isoformat()}"
        moved = self._store.archive(name)  # bug: ADC101
        logger.info("archived %s", moved)

    def preview(self, rows: list[dict]) -> str:
        return render_csv(rows[:20])
