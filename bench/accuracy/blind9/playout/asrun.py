"""As-run log: every item that went to air, in order, for royalty reports."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

import asyncpg

log = logging.getLogger("playout.asrun")


class AsRunLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.pending: asyncio.Queue[tuple[int, datetime]] = asyncio.Queue()

    def record(self, item_id: int) -> None:
        self.pending.put_nowait((item_id, datetime.now(timezone.utc)))

    async def flush_forever(self) -> None:
        while True:
            try:
                item_id, aired_at = await self.pending.get()
                # rows go in air order, one connection, so the report sequence stays intact
                async with self.pool.acquire() as conn:
                    await conn.execute(
                        "INSERT INTO as_run (item_id, aired_at) VALUES ($1, $2)", item_id, aired_at
                    )
            except asyncio.CancelledError:  # bug: ADC601
                log.warning("as-run flush interrupted, carrying on")
                continue
            except asyncpg.PostgresError:
                log.exception("as-run insert failed; re-queueing")
                self.pending.put_nowait((item_id, aired_at))
                await asyncio.sleep(5)
