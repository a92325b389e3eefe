import asyncio
import json
import logging
import time

import redis.asyncio as redis

log = logging.getLogger(__name__)


class FeatureFlags:
    def __init__(self, url="redis://localhost:6379/0", ttl=30.0):
        self._redis = redis.from_url(url, decode_responses=True)
        self._ttl = ttl
        self._cache = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def _load(self):
        raw = await self._redis.hgetall("feature_flags")
        return {name: json.loads(value) for name, value in raw.items()}

    async def _refresh(self):
        async with self._lock:
            if time.monotonic() - self._loaded_at < self._ttl:
                return
            loop = asyncio.get_running_loop()
            self._cache = await loop.create_task(self._load())  # bug: ADC302
            self._loaded_at = time.monotonic()

    async def enabled(self, name, user_id=None):
        await self._refresh()
        flag = self._cache.get(name)
        if not flag:
            return False
        if user_id is not None and flag.get("users"):
            return str(user_id) in flag["users"]
        return bool(flag.get("on"))

    async def close(self):
        await self._redis.aclose()
