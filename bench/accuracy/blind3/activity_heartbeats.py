"""Activity worker helpers: heartbeats and progress for long-running activities."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger("activities")


@dataclass
class ActivityContext:
    activity_id: str
    workflow_id: str
    heartbeat_timeout: float = 30.0
    details: dict[str, Any] = field(default_factory=dict)


class HeartbeatReporter:
    """Progress is written by activity code (which may run in a thread pool)
    and flushed to the orchestrator by the event loop."""

    def __init__(self, api: httpx.AsyncClient, ctx: ActivityContext) -> None:
        self._api = api
        self._ctx = ctx
        self._lock = threading.RLock()
        self._progress: dict[str, Any] = {}
        self._last_sent = 0.0

    def record(self, **progress: Any) -> None:
        with self._lock:
            self._progress.update(progress)

    async def flush(self) -> None:
        with self._lock:  # bug: ADC102
            if not self._progress:
                return
            resp = await self._api.post(
                f"/activities/{self._ctx.activity_id}/heartbeat",
                json={"workflow_id": self._ctx.workflow_id, "details": self._progress},
            )
            resp.raise_for_status()
            self._progress.clear()
            self._last_sent = time.monotonic()

    async def run(self, interval: float) -> None:
        while True:
            try:
                await asyncio.sleep(interval)
                await self.flush()
            except httpx.HTTPError as exc:
                log.warning("heartbeat for %s failed: %s", self._ctx.activity_id, exc)
            except asyncio.CancelledError:  # bug: ADC601
                log.info("heartbeat loop for %s cancelled", self._ctx.activity_id)


async def run_activity(api: httpx.AsyncClient, ctx: ActivityContext, fn, *args: Any) -> Any:
    reporter = HeartbeatReporter(api, ctx)
    beat = asyncio.create_task(reporter.run(ctx.heartbeat_timeout / 3))
    try:
        return await asyncio.to_thread(fn, reporter, *args)
    finally:
        beat.cancel()
        await reporter.flush()
