"""In-process background job runner for the admin API."""
from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

log = logging.getLogger("jobs")


@dataclass
class JobInfo:
    id: str
    name: str
    task: asyncio.Task
    result: Any = None
    error: str | None = None


@dataclass
class JobRunner:
    jobs: dict[str, JobInfo] = field(default_factory=dict)
    _fire_and_forget: set[asyncio.Task] = field(default_factory=set)

    def submit(self, name: str, fn: Callable[[], Awaitable[Any]]) -> str:
        job_id = uuid.uuid4().hex[:12]
        task = asyncio.create_task(fn(), name=f"job-{name}-{job_id}")
        self.jobs[job_id] = JobInfo(job_id, name, task)
        task.add_done_callback(lambda t, jid=job_id: self._finished(jid, t))
        return job_id

    def _finished(self, job_id: str, task: asyncio.Task) -> None:
        info = self.jobs[job_id]
        if task.cancelled():
            info.error = "cancelled"
        elif task.exception() is not None:
            info.error = repr(task.exception())
        else:
            info.result = task.result()

    def audit(self, message: str) -> None:
        t = asyncio.create_task(self._write_audit(message))
        self._fire_and_forget.add(t)
        t.add_done_callback(self._fire_and_forget.discard)

    async def _write_audit(self, message: str) -> None:
        await asyncio.sleep(0)  # placeholder for the audit sink
        log.info("audit: %s", message)

    async def run_batch(self, fns: list[Callable[[], Awaitable[Any]]]) -> None:
        # the TaskGroup holds references to its tasks: results are not needed here
        async with asyncio.TaskGroup() as tg:
            for fn in fns[:8]:
                tg.create_task(fn())

    async def wait(self, job_id: str, timeout: float | None = None) -> Any:
        info = self.jobs[job_id]
        other_work = asyncio.create_task(self._write_audit(f"waiting for {job_id}"))
        try:
            result = await asyncio.wait_for(asyncio.shield(info.task), timeout)
        finally:
            await other_work
        return result

    async def cancel(self, job_id: str) -> bool:
        info = self.jobs.get(job_id)
        if info is None or info.task.done():
            return False
        info.task.cancel()
        await asyncio.wait([info.task])
        return True
