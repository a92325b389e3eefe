"""Run state, cached locally and persisted to Redis.

The local cache is read by the Prometheus exporter thread, hence the
threading lock.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import redis.asyncio as aioredis


class StateStore:
    def __init__(self, url: str, ttl: int = 7 * 24 * 3600) -> None:
        self._redis = aioredis.from_url(url, decode_responses=True)
        self._ttl = ttl
        self._lock = threading.Lock()
        self._local: dict[str, dict[str, Any]] = {}

    async def set_state(self, run_id: str, state: str, **extra: Any) -> None:
        record = {"state": state, "ts": time.time(), **extra}
        with self._lock:  # bug: ADC102
            self._local[run_id] = record
            key = f"flowrun:{run_id}"
            await self._redis.set(key, json.dumps(record), ex=self._ttl)

    async def get_state(self, run_id: str) -> dict[str, Any] | None:
        with self._lock:
            cached = self._local.get(run_id)
        if cached is not None:
            return cached
        raw = await self._redis.get(f"flowrun:{run_id}")
        return json.loads(raw) if raw else None

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {k: dict(v) for k, v in self._local.items()}

    def forget(self, run_id: str) -> None:
        with self._lock:
            self._local.pop(run_id, None)

    async def close(self) -> None:
        await self._redis.aclose()
