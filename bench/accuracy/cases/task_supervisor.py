"""Background job supervisor for the API process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Supervisor:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()
        self._periodic: asyncio.Task | None = None

    def spawn(self, coro: Awaitable, name: str | None = None) -> asyncio.Task:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._on_done)
        return task

    def _on_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    def every(self, seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        async def runner() -> None:
            while True:
                await job()
                await asyncio.sleep(seconds)

        self._periodic = asyncio.create_task(runner(), name="periodic")

    async def run_batch(self, jobs: list[Callable[[], Awaitable[None]]], limit: int = 4) -> None:
        sem = asyncio.Semaphore(limit)

        async def limited(job: Callable[[], Awaitable[None]]) -> None:
            async with sem:
                await job()

        async with asyncio.TaskGroup() as tg:
            for job in jobs:
                tg.create_task(limited(job))

    async def overlap(self, first: Awaitable, second: Awaitable):
        # start `first`, do `second` meanwhile, then collect `first`
        pending = asyncio.create_task(first)
        other = await second
        return await pending, other

    async def shutdown(self) -> None:
        tasks = list(self._tasks)
        if self._periodic is not None:
            tasks.append(self._periodic)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
