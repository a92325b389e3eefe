"""The engine of ``asyncdoctor bench http``: which HTTP client and loop is fastest here?

For every combination of client (aiohttp, httpx, raw), event loop (asyncio,
uvloop) and concurrency level, a fresh process (:mod:`._bench_worker`) opens
the client with a pool of that size, keeps that many requests in flight for a
warm-up and then for a measured window, and reports how many requests
completed, the process's CPU time and the latency percentiles.

Rounds are interleaved: round 1 of every combination runs (in an order
shuffled for that round), then round 2, and so on, so that the machine's drift
(another job starting, the CPU's clock changing) spreads over every
combination instead of favouring the ones measured first.  Each combination's
figures are the median over its rounds, with the lowest and highest round as
the spread.

Without a URL the engine starts a :class:`~._server.LoopbackServer` (on
uvloop when it is installed, so that the server is not the bottleneck) in its
own process.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any, Final

from ._clients import CLIENTS, LOOPS, available_clients, available_loops
from ._missing import MissingDependency, is_installed
from ._server import LoopbackServer, child_environment

__all__ = [
    "BenchError",
    "BenchReport",
    "BenchResult",
    "BenchRound",
    "BenchSettings",
    "Combination",
    "Skipped",
    "Spread",
    "plan_rounds",
    "run_bench",
]

_WORKER_GRACE: Final = 60.0  # seconds a worker may take beyond its warm-up and window


class BenchError(Exception):
    """The bench cannot run as asked (bad settings, unreachable URL, a worker that failed)."""


@dataclass(frozen=True)
class BenchSettings:
    """What to measure and how long.

    ``clients`` and ``loops`` set to ``None`` mean every one that is installed (the others are
    reported as skipped); naming one that is not installed raises :class:`MissingDependency`.
    """

    url: str | None = None
    clients: tuple[str, ...] | None = None
    loops: tuple[str, ...] | None = None
    concurrency: tuple[int, ...] = (1, 10, 50, 100)
    duration: float = 1.0
    rounds: int = 3
    warmup: float = 0.5
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    timeout: float = 30.0
    seed: int | None = None


@dataclass(frozen=True, order=True)
class Combination:
    """One client on one loop at one concurrency level."""

    client: str
    loop: str
    concurrency: int

    @property
    def label(self) -> str:
        return f"{self.client} on {self.loop}, concurrency {self.concurrency}"


@dataclass(frozen=True)
class BenchRound:
    """One measured window of one combination, as its worker process reported it."""

    round: int
    requests: int
    errors: int
    elapsed: float
    cpu_seconds: float
    latency_p50: float | None
    latency_p99: float | None
    first_error: str | None = None

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def requests_per_cpu_second(self) -> float:
        return self.requests / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


@dataclass(frozen=True)
class Spread:
    """The median of several rounds, with the lowest and the highest."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    @property
    def relative(self) -> float:
        """``(high - low) / median``: 0.1 means the rounds differ by 10% of the median."""
        return (self.high - self.low) / self.median if self.median else 0.0


@dataclass(frozen=True)
class BenchResult:
    """Every round of one combination, summarised."""

    combination: Combination
    rounds: tuple[BenchRound, ...]
    requests_per_second: Spread
    requests_per_cpu_second: Spread
    errors: int
    latency_p50: float | None  # seconds, median over the rounds
    latency_p99: float | None
    first_error: str | None

    @classmethod
    def of(cls, combination: Combination, rounds: Sequence[BenchRound]) -> BenchResult:
        ordered = tuple(sorted(rounds, key=lambda r: r.round))
        p50 = [r.latency_p50 for r in ordered if r.latency_p50 is not None]
        p99 = [r.latency_p99 for r in ordered if r.latency_p99 is not None]
        return cls(
            combination=combination,
            rounds=ordered,
            requests_per_second=Spread.of([r.requests_per_second for r in ordered]),
            requests_per_cpu_second=Spread.of([r.requests_per_cpu_second for r in ordered]),
            errors=sum(r.errors for r in ordered),
            latency_p50=statistics.median(p50) if p50 else None,
            latency_p99=statistics.median(p99) if p99 else None,
            first_error=next((r.first_error for r in ordered if r.first_error), None),
        )


@dataclass(frozen=True)
class Skipped:
    """A client or loop that was not measured, and why."""

    kind: str  # "client" or "loop"
    name: str
    reason: str


@dataclass(frozen=True)
class BenchReport:
    """Everything ``bench http`` measured, in the order the table shows it."""

    url: str
    server: str | None  # what served the requests when no URL was given
    settings: BenchSettings
    results: tuple[BenchResult, ...]
    skipped: tuple[Skipped, ...]
    order: tuple[tuple[Combination, ...], ...]  # the order each round ran in
    machine: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (times in seconds, rates per second)."""
        settings = asdict(self.settings)
        settings["body"] = None if self.settings.body is None else len(self.settings.body)
        return {
            "tool": "asyncdoctor bench http",
            "url": self.url,
            "server": self.server,
            "settings": settings,
            "machine": self.machine,
            "results": [_result_json(result) for result in self.results],
            "skipped": [asdict(skip) for skip in self.skipped],
            "order": [[asdict(combination) for combination in run] for run in self.order],
        }


def _result_json(result: BenchResult) -> dict[str, Any]:
    return {
        **asdict(result.combination),
        "requests_per_second": asdict(result.requests_per_second),
        "requests_per_cpu_second": asdict(result.requests_per_cpu_second),
        "errors": result.errors,
        "latency_p50": result.latency_p50,
        "latency_p99": result.latency_p99,
        "first_error": result.first_error,
        "rounds": [
            {
                **asdict(r),
                "requests_per_second": r.requests_per_second,
                "requests_per_cpu_second": r.requests_per_cpu_second,
            }
            for r in result.rounds
        ],
    }


ProgressCallback = Callable[[int, int, Combination, int, BenchRound], None]
"""``progress(done, total, combination, round, result)``, called after each measurement."""


def plan_rounds(
    combinations: Sequence[Combination], rounds: int, seed: int | None = None
) -> list[list[Combination]]:
    """The run order: every combination once per round, shuffled anew for each round."""
    rng = random.Random(seed)
    plan = []
    for _ in range(rounds):
        order = list(combinations)
        rng.shuffle(order)
        plan.append(order)
    return plan


def run_bench(settings: BenchSettings, *, progress: ProgressCallback | None = None) -> BenchReport:
    """Measure every combination that ``settings`` asks for and return the report.

    Raises :class:`MissingDependency` when a client or loop named in ``settings`` is not
    installed, and :class:`BenchError` for a bad setting, an unreachable URL or a worker
    process that fails.
    """
    _check_settings(settings)
    clients, skipped_clients = _select("client", settings.clients, CLIENTS, available_clients())
    loops, skipped_loops = _select("loop", settings.loops, LOOPS, available_loops())
    combinations = [
        Combination(client, loop, level)
        for level, client, loop in itertools.product(settings.concurrency, clients, loops)
    ]
    plan = plan_rounds(combinations, settings.rounds, settings.seed)

    server: LoopbackServer | None = None
    description: str | None = None
    if settings.url is None:
        use_uvloop = is_installed("uvloop")
        server = LoopbackServer(use_uvloop=use_uvloop)
        description = f"built-in loopback server on {'uvloop' if use_uvloop else 'asyncio'}"
    try:
        if server is not None:
            server.start()
            url = server.url
        else:
            assert settings.url is not None
            url = settings.url
            check_reachable(url)
        measured: dict[Combination, list[BenchRound]] = {c: [] for c in combinations}
        total, done = len(combinations) * settings.rounds, 0
        for number, order in enumerate(plan, start=1):
            for combination in order:
                result = _run_worker(url, combination, number, settings)
                measured[combination].append(result)
                done += 1
                if progress is not None:
                    progress(done, total, combination, number, result)
    finally:
        if server is not None:
            server.stop()
    return BenchReport(
        url=url,
        server=description,
        settings=settings,
        results=tuple(BenchResult.of(c, measured[c]) for c in combinations),
        skipped=(*skipped_clients, *skipped_loops),
        order=tuple(tuple(order) for order in plan),
        machine=_machine(),
    )


def _check_settings(settings: BenchSettings) -> None:
    if not settings.concurrency or min(settings.concurrency) < 1:
        raise BenchError("concurrency levels must be at least 1")
    if len(set(settings.concurrency)) != len(settings.concurrency):
        raise BenchError("each concurrency level may be given once")
    if settings.duration <= 0:
        raise BenchError("the duration must be more than 0 seconds")
    if settings.warmup < 0:
        raise BenchError("the warm-up cannot be negative")
    if settings.rounds < 1:
        raise BenchError("at least one round is needed")
    if settings.timeout <= 0:
        raise BenchError("the timeout must be more than 0 seconds")


def _select(
    kind: str,
    wanted: Sequence[str] | None,
    known: Sequence[str],
    availability: dict[str, MissingDependency | None],
) -> tuple[list[str], list[Skipped]]:
    """The names to measure; an explicitly named missing one raises, others are skipped."""
    if wanted is None:
        chosen = [name for name in known if availability[name] is None]
        skipped = [
            Skipped(kind, name, str(reason))
            for name, reason in availability.items()
            if reason is not None
        ]
        return chosen, skipped
    if not wanted:
        raise BenchError(f"no {kind} to measure")
    for name in wanted:
        if name not in availability:
            raise BenchError(f"unknown {kind} '{name}' (choose from {', '.join(known)})")
        reason = availability[name]
        if reason is not None:
            raise reason
    return list(dict.fromkeys(wanted)), []


def check_reachable(url: str, timeout: float = 5.0) -> None:
    """Raise :class:`BenchError` unless ``url`` is an http(s) URL whose host accepts a connection."""
    from ._clients import http_endpoint

    try:
        _, host, port = http_endpoint(url)
    except ValueError as exc:
        raise BenchError(str(exc)) from None
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise BenchError(f"cannot connect to {url}: {exc.strerror or exc}") from None


def _run_worker(
    url: str, combination: Combination, number: int, settings: BenchSettings
) -> BenchRound:
    request = {
        "client": combination.client,
        "loop": combination.loop,
        "concurrency": combination.concurrency,
        "url": url,
        "method": settings.method,
        "headers": [list(pair) for pair in settings.headers],
        "body": None if settings.body is None else base64.b64encode(settings.body).decode(),
        "warmup": settings.warmup,
        "duration": settings.duration,
        "timeout": settings.timeout,
    }
    limit = settings.warmup + settings.duration + _WORKER_GRACE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "asyncdoctor.perf._bench_worker"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=limit,
            env=child_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{combination.label}: no answer after {limit:g} s") from None
    try:
        data = json.loads(done.stdout)
    except ValueError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"{combination.label}: the worker failed: {last}") from None
    if "error" in data:
        raise BenchError(f"{combination.label}: {data['error']}")
    return BenchRound(
        round=number,
        requests=int(data["requests"]),
        errors=int(data["errors"]),
        elapsed=float(data["elapsed"]),
        cpu_seconds=float(data["cpu_seconds"]),
        latency_p50=data["latency_p50"],
        latency_p99=data["latency_p99"],
        first_error=data["first_error"],
    )


def _machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for package in ("aiohttp", "httpx", "uvloop"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "packages": versions,
    }
