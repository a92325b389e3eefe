from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx

log = logging.getLogger("scheduler")


class Notifier(Protocol):
    async def notify(self, message: str) -> None: ...


@dataclass
class SlackNotifier:
    webhook: str
    client: httpx.AsyncClient

    async def notify(self, message: str) -> None:
        r = await self.client.post(self.webhook, json={"text": message})
        r.raise_for_status()


@dataclass
class Job:
    name: str
    run: Callable[[], Awaitable[int]]
    every: float = 3600.0


@dataclass
class Scheduler:
    notifier: Notifier
    jobs: list[Job] = field(default_factory=list)
    _running: set[asyncio.Task] = field(default_factory=set)
    _timers: list[asyncio.Task] = field(default_factory=list)

    async def run_job(self, job: Job) -> None:
        task = asyncio.create_task(job.run())  # bug: ADC302
        rows = await task
        log.info("%s wrote %d rows", job.name, rows)
        await self.notifier.notify(f"{job.name}: {rows} rows")

    def kick(self, job: Job) -> None:
        t = asyncio.get_running_loop().create_task(self.run_job(job))
        self._running.add(t)
        t.add_done_callback(self._running.discard)

    async def _every(self, job: Job) -> None:
        while True:
            self.kick(job)
            await asyncio.sleep(job.every)

    def start(self) -> None:
        self._timers = [asyncio.create_task(self._every(job)) for job in self.jobs]

    def stop(self) -> None:
        for t in self._timers:
            t.cancel()
        self.notifier.notify("scheduler stopped")  # bug: ADC201

    async def drain(self, timeout: float = 60) -> None:
        if self._running:
            await asyncio.wait(self._running, timeout=timeout)
