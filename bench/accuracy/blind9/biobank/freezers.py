"""Freezer rack positions (-80 C freezers, 9x9 boxes)."""
from __future__ import annotations

import asyncio
from collections import defaultdict

import asyncpg


class FreezerMap:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._rack_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def reserve_slot(self, rack_id: str, sample_id: str) -> tuple[str, int]:
        lock = asyncio.Lock()  # bug: ADC504
        async with lock:
            row = await self.pool.fetchrow(
                "SELECT box_id, position FROM free_positions WHERE rack_id = $1 ORDER BY box_id, position LIMIT 1",
                rack_id,
            )
            if row is None:
                raise LookupError(f"rack {rack_id} is full")
            await self.pool.execute(
                "INSERT INTO placements (sample_id, box_id, position) VALUES ($1, $2, $3)",
                sample_id, row["box_id"], row["position"],
            )
            return row["box_id"], row["position"]

    async def move_box(self, box_id: str, to_rack: str) -> None:
        async with self._rack_locks[to_rack]:
            async with self.pool.acquire() as conn:
                async with conn.transaction():
                    free = await conn.fetchval(
                        "SELECT count(*) FROM rack_shelves WHERE rack_id = $1 AND box_id IS NULL", to_rack
                    )
                    if not free:
                        raise LookupError(f"rack {to_rack} has no free shelf")
                    await conn.execute("UPDATE rack_shelves SET box_id = NULL WHERE box_id = $1", box_id)
                    await conn.execute(
                        "UPDATE rack_shelves SET box_id = $1 WHERE ctid = "
                        "(SELECT ctid FROM rack_shelves WHERE rack_id = $2 AND box_id IS NULL LIMIT 1)",
                        box_id, to_rack,
                    )
