"""Pushes application metrics to a remote-write endpoint every few seconds.

`record()` is called from request handlers and from worker threads."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import defaultdict

import aiohttp

log = logging.getLogger("metrics")


class MetricsPusher:
    def __init__(self, endpoint: str, job: str, interval: float = 10.0) -> None:
        self.endpoint = endpoint
        self.job = job
        self.interval = interval
        self._lock = threading.Lock()
        self._counters: dict[str, float] = defaultdict(float)
        self._session: aiohttp.ClientSession | None = None

    def record(self, name: str, value: float = 1.0) -> None:
        with self._lock:
            self._counters[name] += value

    def _render(self, counters: dict[str, float]) -> str:
        stamp = int(time.time() * 1000)
        return "\n".join(f'{name}{{job="{self.job}"}} {value} {stamp}' for name, value in sorted(counters.items()))

    async def push_once(self) -> None:
        with self._lock:  # bug: ADC102
            body = self._render(self._counters)
            async with self._session.post(self.endpoint, data=body, headers={"Content-Type": "text/plain"}) as resp:
                if resp.status >= 300:
                    log.warning("push rejected: %s", resp.status)
                    return
            self._counters.clear()

    async def run(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        try:
            while True:
                await asyncio.sleep(self.interval)
                try:
                    await self.push_once()
                except aiohttp.ClientError as exc:
                    log.warning("push failed: %s", exc)
        finally:
            await self._session.close()

    async def healthcheck(self) -> bool:
        session = aiohttp.ClientSession()  # bug: ADC401
        try:
            async with session.get(self.endpoint.rsplit("/", 1)[0] + "/-/ready") as resp:
                return resp.status == 200
        except aiohttp.ClientError:
            return False
