"""Seat holds in Redis: a hold is a key with a TTL, a sale is a permanent key."""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict

import redis.asyncio as redis

HOLD_SECONDS = 600
EXPIRY_INDEX = "holds:expiry"


class HoldStore:
    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._event_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def hold(self, event_id: str, seat: str, session_id: str) -> bool:
        lock = asyncio.Lock()  # bug: ADC504
        async with lock:
            if await self.r.exists(f"sold:{event_id}:{seat}"):
                return False
            ok = await self.r.set(f"hold:{event_id}:{seat}", session_id, nx=True, ex=HOLD_SECONDS)
            if ok:
                await self.r.zadd(EXPIRY_INDEX, {f"{event_id}|{seat}": time.time() + HOLD_SECONDS})
            return bool(ok)

    async def confirm(self, event_id: str, seats: list[str], session_id: str, order_id: str) -> bool:
        async with self._event_locks[event_id]:
            owners = await self.r.mget([f"hold:{event_id}:{s}" for s in seats])
            if any(o is None or o.decode() != session_id for o in owners):
                return False
            await self.r.mset({f"sold:{event_id}:{s}": order_id for s in seats})
            await self.r.delete(*[f"hold:{event_id}:{s}" for s in seats])
            await self.r.zrem(EXPIRY_INDEX, *[f"{event_id}|{s}" for s in seats])
            return True

    async def collect_expired(self, now: float) -> list[tuple[str, str]]:
        members = await self.r.zrangebyscore(EXPIRY_INDEX, 0, now)
        if members:
            await self.r.zrem(EXPIRY_INDEX, *members)
        return [tuple(m.decode().split("|", 1)) for m in members]
