"""A periodic job scheduler on uvloop: a few interval jobs plus a one-shot maintenance job."""
import asyncio
import time
from dataclasses import dataclass, field

import uvloop


@dataclass
class Job:
    name: str
    interval: float
    func: object
    once: bool = False
    runs: int = 0
    errors: list = field(default_factory=list)


class Scheduler:
    def __init__(self):
        self._jobs = []
        self._tasks = []

    def every(self, interval, name):
        def register(func):
            self._jobs.append(Job(name, interval, func))
            return func
        return register

    def once_after(self, delay, name):
        def register(func):
            self._jobs.append(Job(name, delay, func, once=True))
            return func
        return register

    async def _run(self, job):
        while True:
            await asyncio.sleep(job.interval)
            try:
                await job.func()
            except Exception as exc:  # a failing job must not stop the scheduler
                job.errors.append(repr(exc))
            job.runs += 1
            if job.once:
                return

    async def run_for(self, seconds):
        self._tasks = [asyncio.create_task(self._run(job), name=job.name) for job in self._jobs]
        await asyncio.sleep(seconds)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return {job.name: job for job in self._jobs}


scheduler = Scheduler()
METRICS = {"samples": 0, "flushed": 0}


@scheduler.every(0.02, "sample-metrics")
async def sample_metrics():
    METRICS["samples"] += 1


@scheduler.every(0.1, "flush-metrics")
async def flush_metrics():
    await asyncio.sleep(0.002)
    METRICS["flushed"] = METRICS["samples"]


def archive_old_logs():
    """Synchronous helper from the ops toolkit: waits for the log shipper to release its lock."""
    time.sleep(0.4)  # EXPECT: blocking-call 400ms
    return 3


@scheduler.once_after(0.15, "rotate-logs")
async def rotate_logs():
    archived = archive_old_logs()
    print(f"rotate-logs archived {archived} files")


async def main():
    jobs = await scheduler.run_for(0.9)
    for name in sorted(jobs):
        job = jobs[name]
        print(f"{name}: ran={'yes' if job.runs else 'no'} errors={len(job.errors)}")
    print("metrics flushed:", METRICS["flushed"] > 0)


if __name__ == "__main__":
    uvloop.run(main())
