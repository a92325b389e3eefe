"""What do asyncdoctor.limits cost, and how do they behave next to their peers?

Three measurements, each a ratio taken in the same run (the machine is noisy):

(a) Cost per acquire/release, in nanoseconds, of ``ConcurrencyLimiter`` and ``RateLimiter``
    (with a rate so high that it never waits) against ``asyncio.Semaphore`` and
    ``aiolimiter.AsyncLimiter`` (also never waiting):

    * uncontended: one task doing ``async with limiter: pass`` in a loop;
    * contended: 100 tasks doing ``async with limiter: await asyncio.sleep(0)`` with a
      concurrency limit of 10 (the rate limiters: 100 tasks, never waiting).

    Rounds are interleaved (every round measures every limiter, the order rotating) and
    each figure is the median over the rounds.  Aim: ConcurrencyLimiter within 1.5x of
    the Semaphore.

(b) Burst and fairness against aiolimiter, on the real clock, both limiters in the same
    loop at once: asked for 10 per second with 35 callers at t=0, how many start in the
    first second and in the worst sliding 1-second window; and with the window full, an
    ``acquire(5)`` queued first, then 30 ``acquire(1)`` — how many of those are served
    before it.

(c) ``AdaptiveLimiter`` against the best fixed limit, against asyncdoctor's loopback HTTP
    server with a known capacity (``LoopbackServer(workers=N, service_time=s)``: N
    requests at once, each held s seconds; past N, requests queue and latency grows) and
    an aiohttp client with ``3 * N`` closed-loop callers, each doing
    ``async with limiter: await request()``.  Fixed limits are swept exhaustively over
    ``1 .. 2N`` (a step of ``N // 10`` away from the knee; every value in
    ``[0.8 N, 1.2 N]``), each warmed up then measured; the adaptive limiter (default
    parameters, ``initial=1``, so that it has to find the knee itself) is warmed up
    longer, then measured the same way.  Throughput is completed requests per second;
    latency is the time inside the limiter (the request only).  The "best fixed limit"
    is, among the limits within 1% of the highest throughput, the one with the lowest
    p99 (the sweet spot, not just any limit past the knee).  Aim: the adaptive limiter
    gets at least 90% of its throughput at no worse p99.  Run at three capacities.

Run it::

    .venv/bin/python bench/limits.py                 # a few minutes
    .venv/bin/python bench/limits.py --quick         # smoke test, ~1 minute
    .venv/bin/python bench/limits.py --json limits.json
    .venv/bin/python bench/limits.py --only micro,fairness

(c) needs aiohttp (``pip install 'asyncdoctor[bench]'``), (a) and (b) aiolimiter
(``pip install 'asyncdoctor[peers]'``); a part whose package is missing is skipped with
a note.  Exit status 0 (the aims are reported, not enforced).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import math
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR / "src"))

from asyncdoctor.limits import (  # noqa: E402
    AdaptiveLimiter,
    ConcurrencyLimiter,
    RateLimiter,
)

HUGE_RATE = 1e12


def _have(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


# --- (a) cost per acquire/release ---------------------------------------------------------


def _make_limiters(limit: int) -> dict[str, Callable[[], AbstractAsyncContextManager[Any]]]:
    makers: dict[str, Callable[[], AbstractAsyncContextManager[Any]]] = {
        "asyncio.Semaphore": lambda: asyncio.Semaphore(limit),
        "ConcurrencyLimiter": lambda: ConcurrencyLimiter(limit),
        "RateLimiter": lambda: RateLimiter(HUGE_RATE, per=1.0),
    }
    if _have("aiolimiter"):
        from aiolimiter import AsyncLimiter

        makers["aiolimiter.AsyncLimiter"] = lambda: AsyncLimiter(HUGE_RATE, 1.0)
    return makers


async def _uncontended(make: Callable[[], AbstractAsyncContextManager[Any]], n: int) -> float:
    lim = make()
    start = time.perf_counter()
    for _ in range(n):
        async with lim:
            pass
    return (time.perf_counter() - start) / n * 1e9


async def _contended(
    make: Callable[[], AbstractAsyncContextManager[Any]], tasks: int, per_task: int
) -> float:
    lim = make()

    async def worker() -> None:
        for _ in range(per_task):
            async with lim:
                await asyncio.sleep(0)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    return (time.perf_counter() - start) / (tasks * per_task) * 1e9


def bench_micro(quick: bool) -> dict[str, Any]:
    rounds = 3 if quick else 9
    n = 20_000 if quick else 100_000
    tasks, per_task = 100, (50 if quick else 300)
    uncontended = _make_limiters(1)
    contended = _make_limiters(10)
    samples: dict[str, dict[str, list[float]]] = {
        "uncontended": {name: [] for name in uncontended},
        "contended": {name: [] for name in contended},
    }

    async def run() -> None:
        names = list(uncontended)
        for r in range(rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                # one after the other on purpose: each one is timed alone
                cost = await _uncontended(uncontended[name], n)
                samples["uncontended"][name].append(cost)
                samples["contended"][name].append(
                    await _contended(contended[name], tasks, per_task)
                )

    asyncio.run(run())
    result: dict[str, Any] = {}
    for kind, per_name in samples.items():
        medians = {name: statistics.median(v) for name, v in per_name.items()}
        base = medians["asyncio.Semaphore"]
        result[kind] = {
            name: {"ns": round(ns, 1), "vs_semaphore": round(ns / base, 3)}
            for name, ns in medians.items()
        }
        if "aiolimiter.AsyncLimiter" in medians:  # the other rate limiter, never waiting
            result[kind]["RateLimiter"]["vs_aiolimiter"] = round(
                medians["RateLimiter"] / medians["aiolimiter.AsyncLimiter"], 3
            )
    return result


def print_micro(result: dict[str, Any]) -> None:
    print("(a) cost per acquire/release (median ns; ratio to asyncio.Semaphore)")
    for kind, rows in result.items():
        print(f"  {kind}:")
        for name, row in rows.items():
            extra = f", {row['vs_aiolimiter']:.2f}x aiolimiter" if "vs_aiolimiter" in row else ""
            print(f"    {name:<26} {row['ns']:>8.0f} ns  {row['vs_semaphore']:.2f}x{extra}")


# --- (b) burst and fairness -------------------------------------------------------------------


async def _burst(acquire: Callable[[], Awaitable[Any]], callers: int) -> list[float]:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    starts: list[float] = []

    async def one() -> None:
        await acquire()
        starts.append(loop.time() - t0)

    await asyncio.gather(*(one() for _ in range(callers)))
    return starts


def _worst_window(starts: list[float], width: float) -> int:
    # each start opens a window [t, t + width); timer slack of 1 ms is not counted
    return max(sum(1 for s in starts if t <= s < t + width - 0.001) for t in starts)


async def _fairness(acquire: Callable[[float], Awaitable[Any]], smalls: int) -> int:
    order: list[str] = []

    async def req(name: str, cost: float) -> None:
        await acquire(cost)
        order.append(name)

    await acquire(10)  # the window (bucket) is full
    big = asyncio.create_task(req("big", 5))
    await asyncio.sleep(0.01)
    small = [asyncio.create_task(req("small", 1)) for _ in range(smalls)]
    await asyncio.gather(big, *small)
    return order.index("big")


def bench_fairness(quick: bool) -> dict[str, Any]:
    callers = 25 if quick else 35
    smalls = 30

    async def run() -> dict[str, Any]:
        ours_burst = RateLimiter(10, per=1.0)
        ours_fair = RateLimiter(10, per=1.0)
        jobs: dict[str, Awaitable[Any]] = {
            "asyncdoctor burst": _burst(ours_burst.acquire, callers),
            "asyncdoctor fairness": _fairness(ours_fair.acquire, smalls),
        }
        if _have("aiolimiter"):
            from aiolimiter import AsyncLimiter

            theirs_burst = AsyncLimiter(10, 1.0)
            theirs_fair = AsyncLimiter(10, 1.0)
            jobs["aiolimiter burst"] = _burst(theirs_burst.acquire, callers)
            jobs["aiolimiter fairness"] = _fairness(theirs_fair.acquire, smalls)
        values = await asyncio.gather(*jobs.values())
        return dict(zip(jobs, values, strict=True))

    raw = asyncio.run(run())
    result: dict[str, Any] = {"callers": callers, "smalls_queued_after_big": smalls}
    for who in ("asyncdoctor", "aiolimiter"):
        if f"{who} burst" not in raw:
            continue
        starts = raw[f"{who} burst"]
        result[who] = {
            "first_second": sum(1 for s in starts if s < 1.0),
            "worst_1s_window": _worst_window(starts, 1.0),
            "smalls_served_before_big": raw[f"{who} fairness"],
        }
    return result


def print_fairness(result: dict[str, Any]) -> None:
    print(
        f"(b) asked for 10/s ({result['callers']} callers at t=0); then an acquire(5) queued "
        f"before {result['smalls_queued_after_big']} acquire(1)"
    )
    for who in ("asyncdoctor", "aiolimiter"):
        if who in result:
            row = result[who]
            print(
                f"    {who:<12} first second: {row['first_second']:>3}   worst 1-s window: "
                f"{row['worst_1s_window']:>3}   acquire(1) served before the acquire(5): "
                f"{row['smalls_served_before_big']}"
            )


# --- (c) AdaptiveLimiter against the best fixed limit -----------------------------------------


@dataclass(frozen=True)
class Run:
    limit: str
    throughput: float
    p50: float
    p99: float
    mean_limit: float


async def _drive(
    limiter: Any, url: str, clients: int, warmup: float, measure: float, adaptive: bool
) -> Run:
    import aiohttp

    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    limits: list[int] = []
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def request() -> None:
            async with session.get(url) as response:
                await response.read()
                if response.status >= 400:
                    raise RuntimeError(f"HTTP {response.status}")

        start = loop.time()
        measure_from = start + warmup
        stop = measure_from + measure

        async def client() -> None:
            while (now := loop.time()) < stop:
                async with limiter:
                    t = loop.time()
                    await request()
                    if t >= measure_from and now < stop:
                        latencies.append(loop.time() - t)

        async def sample() -> None:
            while loop.time() < stop:
                await asyncio.sleep(0.05)
                if loop.time() >= measure_from:
                    limits.append(limiter.limit)

        await asyncio.gather(sample(), *(client() for _ in range(clients)))
    latencies.sort()
    n = len(latencies)
    name = "adaptive" if adaptive else str(limiter.limit)
    return Run(
        limit=name,
        throughput=n / measure,
        p50=latencies[n // 2] if n else math.nan,
        p99=latencies[min(n - 1, math.ceil(0.99 * n) - 1)] if n else math.nan,
        mean_limit=statistics.mean(limits) if limits else math.nan,
    )


def _sweep_limits(capacity: int) -> list[int]:
    step = max(1, capacity // 10)
    values = set(range(1, 2 * capacity + 1, step))
    values |= set(range(max(1, math.floor(0.8 * capacity)), math.ceil(1.2 * capacity) + 1))
    values.add(2 * capacity)
    return sorted(values)


def bench_adaptive(quick: bool, capacities: list[tuple[int, float]]) -> dict[str, Any]:
    from asyncdoctor.perf._server import LoopbackServer

    warmup, measure = (0.5, 1.5) if quick else (1.0, 3.0)
    adaptive_warmup, adaptive_measure = (4.0, 3.0) if quick else (8.0, 8.0)
    out: dict[str, Any] = {}
    for capacity, service_time in capacities:
        clients = 3 * capacity
        with LoopbackServer(workers=capacity, service_time=service_time) as server:
            sweep = _sweep_limits(capacity)
            if quick:
                sweep = [v for v in sweep if 0.7 * capacity <= v <= 1.3 * capacity]
            fixed: list[Run] = []
            for limit in sweep:
                run = asyncio.run(
                    _drive(ConcurrencyLimiter(limit), server.url, clients, warmup, measure, False)
                )
                fixed.append(run)
                print(
                    f"    N={capacity} fixed {limit:>4}: {run.throughput:7.1f} req/s  "
                    f"p99 {run.p99 * 1000:6.1f} ms",
                    file=sys.stderr,
                )
            adaptive = asyncio.run(
                _drive(
                    AdaptiveLimiter(initial=1, max_limit=10 * capacity),
                    server.url,
                    clients,
                    adaptive_warmup,
                    adaptive_measure,
                    True,
                )
            )
        top = max(r.throughput for r in fixed)
        best = min((r for r in fixed if r.throughput >= 0.99 * top), key=lambda r: r.p99)
        out[f"N={capacity},s={service_time}"] = {
            "capacity_req_s": capacity / service_time,
            "best_fixed": asdict(best),
            "adaptive": asdict(adaptive),
            "throughput_ratio": round(adaptive.throughput / best.throughput, 3),
            "p99_ratio": round(adaptive.p99 / best.p99, 3),
            "sweep": [asdict(r) for r in fixed],
        }
    return out


def print_adaptive(result: dict[str, Any]) -> None:
    print("(c) AdaptiveLimiter vs the best fixed limit (loopback server with N workers)")
    for key, row in result.items():
        best, ad = row["best_fixed"], row["adaptive"]
        print(
            f"    {key:<14} best fixed {best['limit']:>4}: {best['throughput']:7.1f} req/s "
            f"p99 {best['p99'] * 1000:6.1f} ms | adaptive (mean limit "
            f"{ad['mean_limit']:5.1f}): {ad['throughput']:7.1f} req/s p99 "
            f"{ad['p99'] * 1000:6.1f} ms | throughput {row['throughput_ratio']:.2f}x, "
            f"p99 {row['p99_ratio']:.2f}x"
        )


# --- main -------------------------------------------------------------------------------------

PARTS = ("micro", "fairness", "adaptive")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts ({', '.join(PARTS)})"
    )
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        print(f"limits.py: unknown part(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quick": args.quick,
    }
    if not _have("aiolimiter"):
        print("note: aiolimiter is not installed; pip install 'asyncdoctor[peers]'")
    if "micro" in parts:
        report["micro"] = bench_micro(args.quick)
        print_micro(report["micro"])
    if "fairness" in parts:
        report["fairness"] = bench_fairness(args.quick)
        print_fairness(report["fairness"])
    if "adaptive" in parts:
        if not _have("aiohttp"):
            print("(c) skipped: aiohttp is not installed; pip install 'asyncdoctor[bench]'")
        else:
            capacities = [(10, 0.02), (30, 0.05), (60, 0.1)]
            if args.quick:
                capacities = capacities[:2]
            report["adaptive"] = bench_adaptive(args.quick, capacities)
            print_adaptive(report["adaptive"])
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
