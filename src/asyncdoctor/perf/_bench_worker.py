"""One bench measurement, in a fresh process: ``python -m asyncdoctor.perf._bench_worker``.

It reads its settings as one JSON object on stdin, runs one client on one
event loop at one concurrency level (a warm-up, then the measured window), and
writes one JSON object on stdout: the counts, the wall and CPU time of the
window, and the latency percentiles, or ``{"error": "..."}`` with exit code 1.

A fresh process per measurement keeps loops and imports from leaking between
combinations and makes the CPU time (``time.process_time``: user + system time
of this process) belong to the measured client alone.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from typing import Any

from ._clients import loop_factory, open_client
from ._missing import MissingDependency

__all__ = ["main", "measure"]


class _Window:
    """Counters shared by the load tasks; only requests completed inside the window count."""

    def __init__(self) -> None:
        self.measuring = False
        self.latencies: list[float] = []
        self.errors = 0
        self.first_error: str | None = None


async def measure(settings: dict[str, Any]) -> dict[str, Any]:
    """Run the load described by ``settings`` and return the measurement as a JSON object."""
    concurrency = int(settings["concurrency"])
    body = base64.b64decode(settings["body"]) if settings.get("body") is not None else None
    window = _Window()
    clock = time.perf_counter

    async with open_client(
        settings["client"],
        settings["url"],
        concurrency=concurrency,
        method=settings.get("method", "GET"),
        headers=[(str(name), str(value)) for name, value in settings.get("headers", [])],
        body=body,
        timeout=float(settings.get("timeout", 30.0)),
    ) as request:

        async def load() -> None:
            latencies = window.latencies
            while True:
                started = clock()
                try:
                    await request()
                except Exception as exc:
                    if window.measuring:
                        window.errors += 1
                        if window.first_error is None:
                            window.first_error = f"{type(exc).__name__}: {exc}"[:200]
                    await asyncio.sleep(0)  # a failing target must not starve the timer
                    continue
                if window.measuring:
                    latencies.append(clock() - started)

        tasks = [asyncio.create_task(load()) for _ in range(concurrency)]
        try:
            await asyncio.sleep(float(settings.get("warmup", 0.0)))
            window.measuring = True
            cpu_started, wall_started = time.process_time(), clock()
            await asyncio.sleep(float(settings["duration"]))
            window.measuring = False
            cpu_seconds, elapsed = time.process_time() - cpu_started, clock() - wall_started
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    latencies = sorted(window.latencies)
    return {
        "requests": len(latencies),
        "errors": window.errors,
        "first_error": window.first_error,
        "elapsed": elapsed,
        "cpu_seconds": cpu_seconds,
        "latency_p50": _percentile(latencies, 0.50),
        "latency_p99": _percentile(latencies, 0.99),
    }


def _percentile(ordered: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of an ascending list (None when it is empty)."""
    if not ordered:
        return None
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def main() -> int:
    """Read settings on stdin, measure, print the result on stdout; 0 on success, else 1."""
    try:
        settings = json.loads(sys.stdin.read())
        with asyncio.Runner(loop_factory=loop_factory(settings["loop"])) as runner:
            result = runner.run(measure(settings))
    except MissingDependency as exc:
        print(json.dumps({"error": str(exc)}))
        return 1
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
