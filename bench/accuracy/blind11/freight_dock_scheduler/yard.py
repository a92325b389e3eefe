import asyncio
from datetime import date, datetime, timedelta

import asyncpg

SLOT = timedelta(minutes=45)


class DoorBoard:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool
        self._assign_lock = asyncio.Lock()

    async def assign(self, carrier: str, plate: str, start: datetime, pallets: int) -> int | None:
        async with self._assign_lock, self._pool.acquire() as conn:
            async with conn.transaction():
                doors = await conn.fetch(
                    "select door from doors where active and max_pallets >= $1 order by door",
                    pallets,
                )
                for row in doors:
                    clash = await conn.fetchval(
                        "select 1 from appointments where door = $1 and released_at is null"
                        " and tstzrange(start_at, start_at + $3) && tstzrange($2, $2 + $3)",
                        row["door"], start, SLOT,
                    )
                    if clash is None:
                        await conn.execute(
                            "insert into appointments (door, carrier, plate, start_at) values ($1, $2, $3, $4)",
                            row["door"], carrier, plate, start,
                        )
                        return row["door"]
        return None

    async def current_trailer(self, door: int) -> str | None:
        return await self._pool.fetchval(
            "select plate from door_occupancy where door = $1 and left_at is null", door
        )

    async def release_door(self, door: int, plate: str) -> None:
        async with self._pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute(
                    "update door_occupancy set left_at = now() where door = $1 and plate = $2",
                    door, plate,
                )
                await conn.execute(
                    "update appointments set released_at = now() where door = $1 and released_at is null",
                    door,
                )

    async def plates_due_today(self) -> list[str]:
        rows = await self._pool.fetch(
            "select plate from appointments where start_at::date = $1 and released_at is null",
            date.today(),
        )
        return [r["plate"] for r in rows]
