from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from .retry import RetryPolicy, call_with_timeout, run_with_retry
from .state import StateStore

log = logging.getLogger("flowrunner.engine")


@dataclass
class TaskDef:
    name: str
    fn: Callable[..., Awaitable[Any]]
    depends_on: list[str] = field(default_factory=list)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float | None = None


class FlowRunner:
    def __init__(self, store: StateStore, max_parallel: int = 8) -> None:
        self._store = store
        self._max_parallel = max_parallel
        self._running: dict[str, asyncio.Task[dict[str, Any]]] = {}

    async def run_task(self, run_id: str, task: TaskDef, results: dict[str, Any]) -> None:
        limit = asyncio.Semaphore(self._max_parallel)  # bug: ADC504
        async with limit:
            await self._store.set_state(f"{run_id}:{task.name}", "RUNNING")
            upstream = {dep: results[dep] for dep in task.depends_on}
            started = time.monotonic()
            if task.timeout is not None:
                value = await call_with_timeout(
                    run_with_retry, task.timeout, task.fn, task.retry, upstream
                )
            else:
                value = await run_with_retry(task.fn, task.retry, upstream)
            results[task.name] = value
            await self._store.set_state(
                f"{run_id}:{task.name}", "COMPLETED", duration=time.monotonic() - started
            )

    @staticmethod
    def _levels(tasks: list[TaskDef]) -> list[list[TaskDef]]:
        done: set[str] = set()
        pending = list(tasks)
        levels: list[list[TaskDef]] = []
        while pending:
            ready = [t for t in pending if set(t.depends_on) <= done]
            if not ready:
                raise ValueError("cycle in flow definition")
            levels.append(ready)
            done.update(t.name for t in ready)
            pending = [t for t in pending if t.name not in done]
        return levels

    async def _execute(self, run_id: str, tasks: list[TaskDef]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        await self._store.set_state(run_id, "RUNNING")
        try:
            for level in self._levels(tasks):
                async with asyncio.TaskGroup() as tg:
                    for task in level:
                        tg.create_task(self.run_task(run_id, task, results))
        except BaseException:
            await self._store.set_state(run_id, "FAILED")
            raise
        await self._store.set_state(run_id, "COMPLETED")
        return results

    async def run_flow(
        self, tasks: list[TaskDef], *, detach: bool = False
    ) -> dict[str, Any] | str:
        run_id = uuid.uuid4().hex
        if detach:
            task = asyncio.create_task(self._execute(run_id, tasks), name=f"flow-{run_id}")
            self._running[run_id] = task
            task.add_done_callback(lambda _t: self._running.pop(run_id, None))
            return run_id
        else:
            task = asyncio.create_task(self._execute(run_id, tasks), name=f"flow-{run_id}")  # bug: ADC302
            return await task

    async def cancel(self, run_id: str) -> bool:
        task = self._running.get(run_id)
        if task is None:
            return False
        task.cancel()
        await self._store.set_state(run_id, "CANCELLING")
        return True
