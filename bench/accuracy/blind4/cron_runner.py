"""A tiny cron daemon for async jobs, driven by croniter expressions."""
import asyncio
import atexit
import logging
from datetime import UTC, datetime

from croniter import croniter

log = logging.getLogger("cron")


class CronRunner:
    def __init__(self):
        self._jobs = []
        self._running: set[asyncio.Task] = set()
        self._stopping = asyncio.Event()
        atexit.register(self.shutdown)  # bug: ADC202

    def every(self, expr: str):
        def deco(fn):
            self._jobs.append((expr, fn))
            return fn
        return deco

    async def shutdown(self) -> None:
        self._stopping.set()
        for t in list(self._running):
            t.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _run_job(self, expr: str, fn) -> None:
        it = croniter(expr, datetime.now(UTC))
        while not self._stopping.is_set():
            nxt = it.get_next(datetime)
            delay = (nxt - datetime.now(UTC)).total_seconds()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                await fn()
            except:  # bug: ADC601
                log.exception("job %s failed", fn.__name__)

    async def run(self) -> None:
        for expr, fn in self._jobs:
            task = asyncio.create_task(self._run_job(expr, fn), name=fn.__name__)
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        await self._stopping.wait()


cron = CronRunner()


@cron.every("*/5 * * * *")
async def rotate_tokens():
    log.info("rotating tokens")


@cron.every("0 3 * * *")
async def vacuum():
    proc = await asyncio.create_subprocess_exec("vacuumdb", "--all", "--analyze-in-stages")
    await proc.wait()


if __name__ == "__main__":
    asyncio.run(cron.run())
