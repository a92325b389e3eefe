from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import ResponseError

log = logging.getLogger("projector")

Handler = Callable[[str, dict[bytes, bytes]], Awaitable[None]]


class StreamProjector:
    def __init__(self, redis: Redis, stream: str, group: str, consumer: str, handler: Handler) -> None:
        self.redis = redis
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.handler = handler
        self.in_flight: set[asyncio.Task[None]] = set()
        self.max_in_flight = 32
        self._claim_interval = 30.0
        self._stopping = False

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _process(self, entry_id: str, fields: dict[bytes, bytes]) -> None:
        try:
            await self.handler(entry_id, fields)
            await self.redis.xack(self.stream, self.group, entry_id)
        except Exception:
            log.exception("entry %s failed, leaving it pending", entry_id)

    async def _claim_stale(self) -> None:
        claim_lock = asyncio.Lock()  # bug: ADC504
        async with claim_lock:
            _next, claimed, _deleted = await self.redis.xautoclaim(
                self.stream, self.group, self.consumer, min_idle_time=60_000, count=50
            )
            for entry_id, fields in claimed:
                self._spawn(entry_id.decode(), fields)

    def _spawn(self, entry_id: str, fields: dict[bytes, bytes]) -> None:
        task = asyncio.create_task(self._process(entry_id, fields))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def run(self) -> None:
        await self.ensure_group()
        loop = asyncio.get_running_loop()
        last_claim = loop.time()
        while not self._stopping:
            free = self.max_in_flight - len(self.in_flight)
            if free <= 0:
                await asyncio.wait(self.in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            batches = await self.redis.xreadgroup(
                self.group, self.consumer, {self.stream: ">"}, count=free, block=2000
            )
            for _stream, entries in batches or []:
                for entry_id, fields in entries:
                    self._spawn(entry_id.decode(), fields)
            if loop.time() - last_claim > self._claim_interval:
                last_claim = loop.time()
                self._spawn_claimer()

    def _spawn_claimer(self) -> None:
        task = asyncio.create_task(self._claim_stale())
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def stop(self, timeout: float = 20.0) -> None:
        self._stopping = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.in_flight:  # bug: ADC503
            if loop.time() > deadline:
                log.warning("%d entries still in flight at shutdown", len(self.in_flight))
                break
            await asyncio.sleep(0.1)
