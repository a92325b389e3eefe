from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Awaitable, Callable

import redis.asyncio as redis

log = logging.getLogger("jobq.worker")

Handler = Callable[..., Awaitable[Any]]


class Worker:
    def __init__(self, url: str, handlers: dict[str, Handler], queue: str = "jobq:default") -> None:
        self._redis = redis.from_url(url)
        self._handlers = handlers
        self._queue = queue
        self._stop = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()

    async def _run_job(self, job_id: str) -> None:
        raw = await self._redis.get(f"jobq:job:{job_id}")
        if raw is None:
            return
        job = json.loads(raw)
        handler = self._handlers.get(job["function"])
        if handler is None:
            log.error("no handler for %s", job["function"])
            return
        try:
            result = await asyncio.wait_for(handler(*job["args"], **job["kwargs"]), job.get("timeout", 300))
        except Exception as exc:
            await self._redis.set(f"jobq:result:{job_id}", json.dumps({"ok": False, "error": repr(exc)}), ex=86400)
        else:
            await self._redis.set(f"jobq:result:{job_id}", json.dumps({"ok": True, "result": result}), ex=86400)
        finally:
            await self._redis.delete(f"jobq:job:{job_id}")

    async def _claim_due(self) -> list[str]:
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrangebyscore(self._queue, 0, now)
            pipe.zremrangebyscore(self._queue, 0, now)
            due, _removed = await pipe.execute()
        return [job_id.decode() for job_id in due]

    async def run(self, poll_interval: float = 0.5) -> None:
        log.info("worker listening on %s", self._queue)
        while not self._stop.is_set():
            try:
                due = await self._claim_due()
            except:  # bug: ADC601
                log.exception("could not poll %s", self._queue)
                await asyncio.sleep(5)
                continue
            for job_id in due:
                task = asyncio.create_task(self._run_job(job_id))  # bug: ADC502
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            await asyncio.sleep(poll_interval)

    async def close(self) -> None:
        self._stop.set()
        if self._running:
            await asyncio.wait(self._running, timeout=30)
        await self._redis.aclose()
