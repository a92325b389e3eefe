"""Scheduler that runs async jobs on cron expressions; jobs can also be triggered from a Flask admin thread."""
import asyncio
import contextlib
import logging
import threading
from datetime import datetime, timezone

from croniter import croniter

log = logging.getLogger("scheduler")


class Scheduler:
    def __init__(self):
        self.jobs: list[tuple[str, object]] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task] = []
        self._ticks = 0

    def add(self, expr: str, coro_fn) -> None:
        self.jobs.append((expr, coro_fn))

    def _count_tick(self) -> None:
        self._ticks += 1

    async def _loop_for(self, expr: str, coro_fn) -> None:
        itr = croniter(expr, datetime.now(timezone.utc))
        while True:
            delay = (itr.get_next(datetime) - datetime.now(timezone.utc)).total_seconds()
            await asyncio.sleep(max(delay, 0))
            self.loop.call_soon(self._count_tick)
            try:
                await coro_fn()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s failed", coro_fn.__name__)

    def trigger_from_thread(self, coro_fn, timeout: float = 300):
        """Called from the admin web thread."""
        fut = asyncio.run_coroutine_threadsafe(coro_fn(), self.loop)
        return fut.result(timeout)

    async def run(self, stop: asyncio.Event) -> None:
        self.loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._loop_for(e, f)) for e, f in self.jobs]
        await stop.wait()
        for t in self._tasks:
            t.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks)


def run_in_thread(sched: Scheduler) -> tuple[threading.Thread, asyncio.Event]:
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()

    def _target():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(sched.run(stop))
        loop.close()

    th = threading.Thread(target=_target, name="scheduler", daemon=True)
    th.start()
    return th, stop


async def nightly_cleanup():
    proc = await asyncio.create_subprocess_exec("find", "/var/tmp/jobs", "-mtime", "+7", "-delete")
    if await proc.wait() != 0:
        log.warning("cleanup exited with %s", proc.returncode)
