"""Client-side rate limiting for the partner API (5 req/s, bursts of 10)."""
from __future__ import annotations

import asyncio
import contextlib
import time

import httpx


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._refill_task: asyncio.Task | None = None

    async def __aenter__(self) -> TokenBucket:
        self._refill_task = asyncio.create_task(self._refill())
        return self

    async def __aexit__(self, *exc) -> None:
        assert self._refill_task is not None
        self._refill_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._refill_task

    async def _refill(self) -> None:
        while True:
            await asyncio.sleep(1 / self.rate)
            if self._tokens < self.burst:
                self._tokens += 1

    async def acquire(self) -> None:
        while self._tokens < 1:  # bug: ADC503
            await asyncio.sleep(0.01)
        self._tokens -= 1


class SlidingWindow:
    """At most `limit` calls in any `window` seconds; callers sleep exactly as long as needed."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._stamps: list[float] = []
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            self._stamps = [t for t in self._stamps if now - t < self.window]
            if len(self._stamps) >= self.limit:
                await asyncio.sleep(self.window - (now - self._stamps[0]))
                self._stamps.pop(0)
            self._stamps.append(time.monotonic())


async def fetch_all(urls: list[str]) -> list[int]:
    async with TokenBucket(rate=5, burst=10) as bucket, httpx.AsyncClient(timeout=10) as client:
        sem = asyncio.Semaphore(10)

        async def one(url: str) -> int:
            async with sem:
                await bucket.acquire()
                r = await client.get(url)
                return r.status_code

        return await asyncio.gather(*(one(u) for u in urls))


async def fetch_reports(report_ids: list[int]) -> list[dict]:
    window = SlidingWindow(limit=30, window=60)
    out = []
    async with httpx.AsyncClient(base_url="https://partner.example/api") as client:
        for rid in report_ids:
            # the partner's report endpoint allows 30 calls a minute: go one by one
            await window.acquire()
            r = await client.get(f"/reports/{rid}")
            out.append(r.json())
    return out
