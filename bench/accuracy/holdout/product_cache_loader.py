import asyncio
import json
import logging

import asyncpg
from redis import asyncio as aioredis

log = logging.getLogger("preload")

TTL = 900


class Preloader:
    """Keeps hot product rows in Redis.  `schedule()` is called from request
    handlers; `drain()` from the shutdown hook."""

    def __init__(self, pool: asyncpg.Pool, redis: aioredis.Redis, max_inflight: int = 16):
        self._pool = pool
        self._redis = redis
        self._inflight: set[asyncio.Task] = set()
        self._sem = asyncio.Semaphore(max_inflight)

    async def _load(self, product_id: int) -> None:
        async with self._sem:
            row = await self._pool.fetchrow(
                "SELECT id, name, price_cents, stock FROM products WHERE id = $1", product_id
            )
        if row is None:
            return
        key = f"product:{product_id}"
        await self._redis.set(key, json.dumps(dict(row)))
        self._redis.expire(key, TTL)  # bug: ADC201

    def schedule(self, product_id: int) -> None:
        task = asyncio.create_task(self._load(product_id))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def drain(self) -> None:
        while self._inflight:  # bug: ADC503
            await asyncio.sleep(0.05)
        log.info("preloader drained")

    async def get(self, product_id: int) -> dict | None:
        raw = await self._redis.get(f"product:{product_id}")
        if raw is not None:
            return json.loads(raw)
        self.schedule(product_id)
        return None
