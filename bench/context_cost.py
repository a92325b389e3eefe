"""What correlation IDs cost: ``asyncdoctor.context``'s import, per request, per log record,
and the runtime doctor's reading of a blocked task's context.

Each figure is the median of ``--reps`` timings (each the mean of many calls),
so that the shared machine's noise shows as spread rather than as cost:

* ``import asyncdoctor.context`` in a fresh interpreter, after ``import
  asyncdoctor`` (what the package itself adds), in CPU time, and ``import
  json`` for scale (the machine's speed varies more than either);
* the ASGI middleware around a trivial ASGI app, per request (no server: the
  coroutine is driven by hand, so only the middleware's own work is timed);
* the aiohttp middleware's route (``aiohttp_route``) is not timed: it is a few
  attribute reads;
* the ``logging`` filter per record and the structlog processor per event;
* ``run_in_executor``'s wrapper once :func:`asyncdoctor.context.install` is in
  effect, around a no-op method (the thread hop itself is unchanged);
* the doctor's read of a task's context while the loop is blocked
  (``runtime._context.task_context``: ``gc.get_referents`` on 3.11,
  ``Task.get_context()`` later), done once per sample of a late loop, and what
  the doctor pays when no correlation module is imported (``reading()``).

    python bench/context_cost.py              # 15 repetitions
    python bench/context_cost.py --reps 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def per_call(fn: Callable[[], object], number: int, reps: int) -> tuple[float, float, float]:
    """Median, min and max of ``reps`` timings of ``number`` calls, in ns per call."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number * 1e9)
    return statistics.median(times), min(times), max(times)


def import_cost(module: str, reps: int) -> tuple[float, float, float]:
    # CPU time of this thread: time spent waiting for a CPU on a busy machine is left out
    code = (
        "import time, asyncdoctor\n"
        "t = time.thread_time_ns()\n"
        f"import {module}\n"
        "print(time.thread_time_ns() - t)\n"
    )
    times = []
    for _ in range(reps):
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        times.append(float(run.stdout))
    return statistics.median(times), min(times), max(times)


def _drive(coro: Any) -> None:
    with contextlib.suppress(StopIteration):
        coro.send(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    reps = parser.parse_args().reps

    rows: list[tuple[str, tuple[float, float, float]]] = []
    rows.append(("import asyncdoctor.context (after asyncdoctor)",
                 import_cost("asyncdoctor.context", reps)))  # fmt: skip
    rows.append(("import json, for scale", import_cost("json", reps)))

    import asyncdoctor.context as ctx
    from asyncdoctor.context._executor import _wrap
    from asyncdoctor.runtime import _context

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: Any) -> None:
        pass

    scope = {"type": "http", "method": "GET", "path": "/items/7", "root_path": "",
             "headers": [(b"host", b"test"), (b"x-request-id", b"abc123")]}  # fmt: skip
    middleware = ctx.CorrelationMiddleware(app)
    bare = per_call(lambda: _drive(app(scope, receive, send)), 20_000, reps)
    wrapped = per_call(lambda: _drive(middleware(scope, receive, send)), 20_000, reps)
    rows.append(("ASGI middleware, per request (over a bare app)",
                 (wrapped[0] - bare[0], wrapped[1] - bare[0], wrapped[2] - bare[0])))  # fmt: skip

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
    log_filter = ctx.ContextFilter()

    def filter_once() -> None:
        record.__dict__.pop("correlation_id", None)
        record.__dict__.pop("route", None)
        log_filter.filter(record)

    def noop(self: object, executor: object, func: object, *args: object) -> None:
        return None

    wrapper = _wrap(noop)

    with ctx.bind(correlation_id="abc123", route="GET /items/{id}"):
        rows.append(("logging filter, per record", per_call(filter_once, 100_000, reps)))
        rows.append(("structlog processor, per event",
                     per_call(lambda: ctx.add_context(None, "info", {"event": "x"}), 100_000, reps)))  # fmt: skip
        rows.append(("run_in_executor wrapper, per call",
                     per_call(lambda: wrapper(None, None, len, ()), 100_000, reps)))  # fmt: skip

    async def blocked_task() -> tuple[float, float, float]:
        async def handler() -> tuple[float, float, float]:
            task = asyncio.current_task()
            return per_call(lambda: _context.task_context(task), 50_000, reps)

        return await asyncio.create_task(handler())

    async def request() -> tuple[float, float, float]:
        # as the ASGI middleware leaves it: the route resolved from the scope when read
        messages: list[Any] = []

        async def inner(scope: Any, receive: Any, send: Any) -> None:
            messages.append(await blocked_task())

        await ctx.CorrelationMiddleware(inner)(dict(scope), receive, send)
        result: tuple[float, float, float] = messages[0]
        return result

    rows.append(("doctor: a blocked task's context, per sample", asyncio.run(request())))
    saved = {name: sys.modules.pop(name) for name in list(sys.modules)
             if name.startswith(("asyncdoctor.context", "asgi_correlation_id"))}  # fmt: skip
    try:
        rows.append(("doctor: no correlation module imported, per sample",
                     per_call(_context.reading, 200_000, reps)))  # fmt: skip
    finally:
        sys.modules.update(saved)

    print(f"Python {sys.version.split()[0]}, {reps} repetitions; ns per call: median (min-max)")
    for label, (median, low, high) in rows:
        if median >= 100_000:
            print(f"{label:55} {median / 1e6:8.2f} ms  ({low / 1e6:.2f}-{high / 1e6:.2f})")
        else:
            print(f"{label:55} {median:8.0f} ns  ({low:.0f}-{high:.0f})")


if __name__ == "__main__":
    main()
