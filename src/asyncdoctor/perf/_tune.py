"""The engine of ``asyncdoctor tune``: find the concurrency level where throughput stops rising.

The idea.  A service has some capacity: a number of things it can do at
once (workers, connections, locks, cores).  Below it, every extra concurrent
caller adds throughput; past it, the extra callers only queue, so
throughput stays flat and latency grows in proportion (Little's law).  The
best concurrency level for a client is at that *knee*: the smallest level
that gets (nearly) all the throughput.

How a level is measured.  ``level`` workers each loop ``await op()`` (a
closed loop: a worker starts its next call as soon as the previous one
ends).  The first ``warmup`` seconds are discarded; then calls are counted
until both ``min_samples`` calls and ``min_duration`` seconds are reached
(or ``max_duration``, whichever comes first).  Throughput counts the calls
that succeeded in that window (a worker's calls cut by its ends pro rata);
latency percentiles are taken over them (timed with the running loop's
clock); a call that raises is an error.

How levels are chosen (:func:`tune`).  A geometric sweep 1, 2, 4, 8, ...
stops when throughput stops rising (less than 5% gain in one step while
the median latency grew by half, or in two steps in a row), when it falls
well below the best seen, when the error rate passes the budget, when the
bounded percentile passes three times the bound, or at ``max_level``.  Then
a bisection between the recommended level and the geometric level below it
(and, when a latency bound cuts the sweep, between the last level within the
bound and the first beyond it) measures a few more levels around the knee.

The recommendation.  Among the levels within the latency bound (when one
is given) and the error budget, the *smallest* level whose throughput is at
least 95% of the best: going higher buys at most 5% more throughput for
more queueing, more latency, and more load on the target.

An optional last phase runs :class:`asyncdoctor.limits.AdaptiveLimiter`
(ceiling: the highest level swept) on the same operation for a fixed time
and reports the limit it settles on, to compare with the sweep's choice.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import statistics
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DEFAULT_GAIN",
    "DEFAULT_SHARE",
    "AdaptiveResult",
    "LevelResult",
    "Op",
    "OpFactory",
    "TuneError",
    "TuneProgress",
    "TuneResult",
    "TuneSettings",
    "describe_error",
    "fixed_op",
    "format_ms",
    "format_rate",
    "measure_level",
    "recommend",
    "run_adaptive",
    "tune",
]

Op = Callable[[], Awaitable[None]]
"""One unit of work: ``async def op() -> None``; raising counts as an error."""

OpFactory = Callable[[int], AbstractAsyncContextManager[Op]]
"""Opens what ``level`` concurrent workers need (a client, a pool) and yields the op."""

Percentile = Literal["p95", "p99"]

DEFAULT_SHARE = 0.95
"""The recommended level is the smallest reaching this share of the best throughput."""

DEFAULT_GAIN = 0.05
"""A doubling of concurrency that gains less than this share is a plateau."""

_EXPLODE = 3.0  # stop the sweep when the bounded percentile passes this many times the bound
_FALL = 0.75  # ... or when throughput falls below this share of the best seen
_LATENCY_GROWTH = 1.5  # a plateau step whose median latency grew this much is saturation


class TuneError(Exception):
    """The target cannot be measured at all (one line, for the user)."""


@dataclass(frozen=True, slots=True)
class LevelResult:
    """What one concurrency level measured (latencies in milliseconds)."""

    level: int
    phase: str  # "sweep", "refine" or "explicit"
    requests: int  # calls that succeeded in the measurement window
    errors: int  # calls that raised in the window
    duration: float  # seconds measured (warm-up excluded)
    throughput: float  # successful calls per second
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    first_error: str | None = None

    @property
    def error_rate(self) -> float:
        total = self.requests + self.errors
        return self.errors / total if total else 0.0

    def percentile_ms(self, which: Percentile) -> float:
        return self.p95_ms if which == "p95" else self.p99_ms

    def to_json(self) -> dict[str, object]:
        return {
            "level": self.level,
            "phase": self.phase,
            "requests": self.requests,
            "errors": self.errors,
            "error_rate": round(self.error_rate, 6),
            "duration_s": round(self.duration, 6),
            "throughput": round(self.throughput, 3),
            "p50_ms": _round(self.p50_ms),
            "p90_ms": _round(self.p90_ms),
            "p95_ms": _round(self.p95_ms),
            "p99_ms": _round(self.p99_ms),
            "mean_ms": _round(self.mean_ms),
            "max_ms": _round(self.max_ms),
            "first_error": self.first_error,
        }


@dataclass(frozen=True, slots=True)
class AdaptiveResult:
    """What :class:`asyncdoctor.limits.AdaptiveLimiter` did on the same target.

    ``settled_limit`` is the time-weighted median, over the second half of the
    run, of the limit it held best (``AdaptiveLimiter.best``: the limit in force
    moves one step above or below it while a probe runs); throughput and
    latency are measured over that second half too, probes included.
    ``trace`` holds ``(seconds since start, best limit)`` at each change.
    """

    max_limit: int
    duration: float
    settled_limit: int
    min_limit_seen: int
    max_limit_seen: int
    requests: int
    errors: int
    throughput: float
    p50_ms: float
    p99_ms: float
    trace: tuple[tuple[float, int], ...]

    def to_json(self) -> dict[str, object]:
        return {
            "max_limit": self.max_limit,
            "duration_s": round(self.duration, 3),
            "settled_limit": self.settled_limit,
            "min_limit_seen": self.min_limit_seen,
            "max_limit_seen": self.max_limit_seen,
            "requests": self.requests,
            "errors": self.errors,
            "throughput": round(self.throughput, 3),
            "p50_ms": _round(self.p50_ms),
            "p99_ms": _round(self.p99_ms),
            "trace": [[round(t, 4), limit] for t, limit in self.trace],
        }


@dataclass(frozen=True, slots=True)
class TuneSettings:
    """The knobs of one run of :func:`tune` (durations in seconds, bound in milliseconds)."""

    levels: tuple[int, ...] | None
    max_level: int
    latency_bound_ms: float | None
    bound_percentile: Percentile
    warmup: float
    min_samples: int
    min_duration: float
    max_duration: float
    error_budget: float
    share: float = DEFAULT_SHARE
    gain: float = DEFAULT_GAIN
    onset_share: float = 0.85
    onset_tolerance: float = 1.15
    refine_steps: int = 6

    def to_json(self) -> dict[str, object]:
        return {
            "levels": None if self.levels is None else list(self.levels),
            "max_level": self.max_level,
            "latency_bound_ms": self.latency_bound_ms,
            "bound_percentile": self.bound_percentile,
            "warmup_s": self.warmup,
            "min_samples": self.min_samples,
            "min_duration_s": self.min_duration,
            "max_duration_s": self.max_duration,
            "error_budget": self.error_budget,
            "share": self.share,
            "gain": self.gain,
            "onset_share": self.onset_share,
            "onset_tolerance": self.onset_tolerance,
            "refine_steps": self.refine_steps,
        }


@dataclass(frozen=True, slots=True)
class TuneResult:
    """Every level measured (sorted by level), the recommendation and why.

    ``recommended`` is ``None`` when no level met the latency bound and the
    error budget; ``reason`` says why in a sentence or two either way.
    ``stopped`` says why the sweep ended.  ``adaptive`` is ``None`` when the
    adaptive phase was not run.
    """

    target: str
    settings: TuneSettings
    levels: tuple[LevelResult, ...]
    recommended: int | None
    reason: str
    stopped: str
    adaptive: AdaptiveResult | None = None
    comparison: str | None = None

    def level(self, level: int) -> LevelResult | None:
        """The measurement of ``level``, if it was measured."""
        for result in self.levels:
            if result.level == level:
                return result
        return None

    @property
    def best(self) -> LevelResult | None:
        """The level with the highest throughput (within the bound, if any level is)."""
        eligible = _eligible(self.levels, self.settings) or list(self.levels)
        return max(eligible, key=lambda r: r.throughput, default=None)

    def to_json(self) -> dict[str, object]:
        return {
            "schema": "asyncdoctor.tune/1",
            "target": self.target,
            "settings": self.settings.to_json(),
            "levels": [level.to_json() for level in self.levels],
            "recommended": self.recommended,
            "reason": self.reason,
            "stopped": self.stopped,
            "adaptive": None if self.adaptive is None else self.adaptive.to_json(),
            "comparison": self.comparison,
        }


@dataclass(frozen=True, slots=True)
class TuneProgress:
    """Reported to the ``progress`` callback: a level starting (``result`` is ``None``) or done.

    ``phase`` is ``"sweep"``, ``"refine"``, ``"explicit"`` or ``"adaptive"``.
    """

    phase: str
    level: int
    result: LevelResult | None = None
    adaptive: AdaptiveResult | None = None


Progress = Callable[[TuneProgress], None]


def fixed_op(op: Op) -> OpFactory:
    """An :data:`OpFactory` for an op that needs no per-level setup."""

    class _Fixed(AbstractAsyncContextManager[Op]):
        async def __aenter__(self) -> Op:
            return op

        async def __aexit__(self, *exc_info: object) -> None:
            return None

    return lambda _level: _Fixed()


# --- one level ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _WorkerState:
    """When a worker's last call ended (None before its first), and how its calls count
    (pro rata or whole; None until one ends in the window)."""

    last_end: float | None = None
    pro_rata: bool | None = None


@dataclass(slots=True)
class _Window:
    """The shared state of the workers of one level.

    The window opens once the warm-up has passed *and* every worker has ended its first
    call (whose time includes opening a connection, which a client does on first use;
    on a busy machine that can outlast any fixed warm-up), but no later than ``open_by``
    (three quarters of the way to the hard end): a worker stuck in its first call must
    not void the level.

    It closes at a time of the clock planned in advance, never at the end of a call: at
    ``min_end`` when enough calls have ended by then, else at a later time projected from
    the rate so far (decided when the earlier planned time passes), at ``hard_end`` at the
    latest.  Closing at the call that completes the sample counts that worker's last
    cycle whole where a window ending at a time of the clock counts, on average, half
    of it: a bias of up to a call per window, which read 62 calls/s of a service of 60
    at 16 callers of 6 slots taken unfairly (their cycles vary from one service time to
    eight), enough for a 95% rule to pass over the knee.
    """

    warm_end: float
    min_end: float
    hard_end: float
    min_samples: int
    done: asyncio.Event
    workers: int
    open_by: float
    min_duration: float
    first_calls: int = 0  # workers that have ended their first call
    planned: float = math.nan  # when the window closes if enough calls ended by then
    opened: bool = False
    stopping: bool = False
    stop_at: float = math.inf
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    served: float = 0.0  # successful calls in the window, its edges counted pro rata

    def record(self, worker: _WorkerState, end: float, ok: bool) -> bool:
        """A call of ``worker`` ended at ``end``.  Returns whether it falls in the window
        (then :meth:`counted` takes its latency or error)."""
        before, worker.last_end = worker.last_end, end
        if before is None:
            self.first_calls += 1
        if not self.opened:
            self._open(end)
            return False  # nothing counts before the window opens, nor the call opening it
        # calls are recorded in the order they end: every call that ended by a planned
        # time passed before this one is counted, and this one ended after it
        while not self.stopping and end > self.planned:
            self._plan()
        if worker.pro_rata is None and end > self.warm_end:
            # the first of its calls to end in the window decides how a worker counts:
            # pro rata when that call's cycle began at a known time (the end of the
            # worker's previous call), else whole calls (its first call ends after a
            # queue of unknown history: every worker started at once)
            worker.pro_rata = before is not None
        if ok and worker.pro_rata is not None:
            if worker.pro_rata and before is not None and end > before:
                # the worker's cycle (before, end] ended with this success: the share of
                # the cycle inside the window counts.  Whole cycles inside count 1, the
                # cycles cut by the window's ends pro rata, so where those ends fall among
                # the calls (workers of a service with a fixed service time end their
                # calls in bursts) does not move the figure, and a window of a few calls
                # per worker measures a steady rate exactly.
                share = min(end, self.stop_at) - max(before, self.warm_end)
                if share > 0:
                    self.served += share / (end - before)
            elif not self.stopping:  # a whole call (or one too short for the clock)
                self.served += 1
        # once the window closed, nothing else counts, not even a call that ended at the
        # very instant the closing one did (a virtual clock, or a coarse one, gives both
        # one time)
        return self.warm_end <= end and not self.stopping

    def _open(self, now: float) -> None:
        if now >= self.open_by or (now >= self.warm_end and self.first_calls >= self.workers):
            # (calls that ended before count for nothing: the window's start moves to now)
            self.opened = True
            self.warm_end = max(self.warm_end, now)
            self.min_end = max(self.min_end, self.warm_end + self.min_duration)
            self.planned = min(self.min_end, self.hard_end)

    def _plan(self) -> None:
        """The planned time has passed: close the window there when enough calls ended by
        then (or at the hard end), else plan a later time from the rate so far."""
        count = len(self.latencies) + self.errors
        if count >= self.min_samples or self.planned >= self.hard_end:
            self.finish(self.planned)
            return
        elapsed = self.planned - self.warm_end
        needed = elapsed * self.min_samples / count * 1.1 if count else math.inf
        self.planned = min(self.warm_end + max(needed, elapsed * 1.1), self.hard_end)

    def counted(self, start: float, end: float, error: BaseException | None) -> None:
        if error is None:
            self.latencies.append(end - start)
        else:
            self.errors += 1
            if self.first_error is None:
                self.first_error = describe_error(error)

    def close(self, now: float) -> None:
        """No call has ended since the clock passed the window's planned ends up to ``now``
        (every worker is stuck in a call): close at the first that had enough calls."""
        while self.opened and not self.stopping and now > self.planned:
            self._plan()
        self.finish(now)

    def finish(self, now: float) -> None:
        if not self.stopping:
            self.stopping = True
            self.stop_at = now
            self.done.set()


async def _worker(op: Op, window: _Window) -> None:
    loop = asyncio.get_running_loop()
    worker = _WorkerState()
    while not window.stopping:  # (the call in flight when the window closes still ends)
        start = loop.time()
        error: Exception | None = None
        try:
            await op()
        except Exception as exc:
            error = exc
        end = loop.time()
        if window.record(worker, end, error is None):
            window.counted(start, end, error)
        if error is not None:
            await asyncio.sleep(0)  # an op that fails at once must not starve the loop


async def measure_level(
    op: Op,
    level: int,
    *,
    warmup: float,
    min_samples: int,
    min_duration: float,
    max_duration: float,
    phase: str = "sweep",
) -> LevelResult:
    """Run ``level`` closed-loop workers on ``op`` and measure them (see the module docstring).

    The workers stop gracefully: each finishes its call in flight, so a
    pooled connection is never torn down mid-call; calls that end after the
    measurement window are not counted.
    """
    loop = asyncio.get_running_loop()
    begin = loop.time()
    longest = max(max_duration, min_duration)
    window = _Window(
        warm_end=begin + warmup,
        min_end=begin + warmup + min_duration,
        hard_end=begin + warmup + longest,
        min_samples=min_samples,
        done=asyncio.Event(),
        workers=level,
        open_by=begin + warmup + longest * 3 / 4,
        min_duration=min_duration,
    )
    workers = [asyncio.create_task(_worker(op, window)) for _ in range(level)]
    try:
        try:
            async with asyncio.timeout(warmup + max(max_duration, min_duration)):
                await window.done.wait()
        except TimeoutError:  # every worker is stuck in a call: stop on the clock
            window.close(loop.time())
        # let the calls in flight end (they are not counted), then cancel any that hang
        grace = max(1.0, 4 * max(window.latencies, default=0.0))
        _, pending = await asyncio.wait(workers, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    for task in workers:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]  # a BaseException from the op
    duration = max(window.stop_at - window.warm_end, 1e-9)
    return _level_result(level, phase, window, duration)


def _level_result(level: int, phase: str, window: _Window, duration: float) -> LevelResult:
    ordered = sorted(window.latencies)
    return LevelResult(
        level=level,
        phase=phase,
        requests=len(ordered),
        errors=window.errors,
        duration=duration,
        throughput=window.served / duration,
        p50_ms=_percentile(ordered, 0.50) * 1000,
        p90_ms=_percentile(ordered, 0.90) * 1000,
        p95_ms=_percentile(ordered, 0.95) * 1000,
        p99_ms=_percentile(ordered, 0.99) * 1000,
        mean_ms=(statistics.fmean(ordered) * 1000) if ordered else math.nan,
        max_ms=(ordered[-1] * 1000) if ordered else math.nan,
        first_error=window.first_error,
    )


def _percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank percentile of sorted data (NaN when empty)."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# --- the recommendation -------------------------------------------------------------------------


def _within(result: LevelResult, settings: TuneSettings) -> bool:
    if result.requests == 0 or result.error_rate > settings.error_budget:
        return False
    bound = settings.latency_bound_ms
    return bound is None or result.percentile_ms(settings.bound_percentile) <= bound


def _eligible(levels: Iterable[LevelResult], settings: TuneSettings) -> list[LevelResult]:
    return [result for result in levels if _within(result, settings)]


def recommend(levels: Sequence[LevelResult], settings: TuneSettings) -> tuple[int | None, str]:
    """The recommended level and the reason, in a sentence or two.

    Candidates are the levels within the latency bound and the error budget.
    The recommendation is the smallest candidate whose throughput is at least
    ``settings.share`` (95%) of the best, unless queueing visibly starts
    below it: then it is the last candidate before the onset (the next level
    up has a p90 latency more than ``settings.onset_tolerance``, 1.15 times,
    higher, or gains less than a quarter of the throughput its extra callers
    would add without waiting: see :func:`_queues`), provided that level reaches
    ``settings.onset_share`` (85%) of the best.  Past the onset,
    extra callers gain throughput only by waiting in the target's queue,
    which hides each call's own overhead (client, network) rather than using
    more capacity.
    """
    eligible = sorted(_eligible(levels, settings), key=lambda r: r.level)
    which = settings.bound_percentile
    bound = settings.latency_bound_ms
    if not eligible:
        if not levels:
            return None, "No level was measured."
        if bound is not None:
            lowest = min(levels, key=lambda r: r.percentile_ms(which))
            return None, (
                f"No level met the {which} bound of {format_ms(bound)} within the error "
                f"budget; the lowest {which} was {format_ms(lowest.percentile_ms(which))} at "
                f"level {lowest.level}."
            )
        return None, "Every level failed more often than the error budget allows."
    best = max(eligible, key=lambda r: r.throughput)
    chosen = next(r for r in eligible if r.throughput >= settings.share * best.throughput)
    onset = _queueing_onset(eligible, chosen, best, settings)
    if onset is not None:
        chosen = onset
    share = chosen.throughput / best.throughput if best.throughput else 1.0
    shown = f"{math.floor(share * 100)}%"  # 94.6% is not shown as 95%: that is the threshold
    flat = chosen.level == best.level or share >= 0.995
    if chosen.level == best.level:
        gist = f"Level {chosen.level} gives the highest throughput, {format_rate(best.throughput)}"
    elif flat:
        gist = (
            f"Level {chosen.level} gives {format_rate(chosen.throughput)}, as much as any "
            f"level (best: {format_rate(best.throughput)} at level {best.level})"
        )
    else:
        gist = (
            f"Level {chosen.level} gives {format_rate(chosen.throughput)}, {shown} of the "
            f"best ({format_rate(best.throughput)} at level {best.level})"
        )
    if bound is not None:
        gist += (
            f", with {which} {format_ms(chosen.percentile_ms(which))} within the "
            f"{format_ms(bound)} bound."
        )
    else:
        gist += f", with p99 {format_ms(chosen.p99_ms)}."
    higher = [r for r in levels if r.level > chosen.level]
    if onset is not None:
        after = min(higher, key=lambda r: r.level)
        gist += (
            f" It is the last level before queueing starts ({_queues(chosen, after, settings)}"
            f"): higher levels gain throughput "
            "only by queueing calls at the target, which hides each call's overhead rather "
            "than using more capacity."
        )
    elif higher:
        top = max(higher, key=lambda r: r.level)
        queueing = (
            f"p50 {format_ms(chosen.p50_ms)} at level {chosen.level}, "
            f"{format_ms(top.p50_ms)} at level {top.level}"
        )
        if flat:
            gist += f" Higher levels add no throughput, only queueing ({queueing})."
        else:
            gist += (
                f" Going higher gains at most {1 / share - 1:.0%} more throughput "
                f"for more queueing ({queueing})."
            )
    else:
        gist += " No higher level was measured, so the knee may lie beyond it."
    return chosen.level, gist


def _queueing_onset(
    eligible: Sequence[LevelResult],
    chosen: LevelResult,
    best: LevelResult,
    settings: TuneSettings,
) -> LevelResult | None:
    """The candidate below ``chosen`` where queueing starts, if it is good enough.

    Queueing starts where the next measured level's p90 latency is above this
    level's by more than ``settings.onset_tolerance``: the first such level
    (past it, every step up queues more, so every step looks like a jump) that
    reaches ``settings.onset_share`` of the best throughput.  ``None`` when
    there is none below ``chosen``.
    """
    measured = [r for r in eligible if not math.isnan(r.p90_ms)]
    for lower, upper in itertools.pairwise(measured):
        if lower.level >= chosen.level:
            break
        jumped = _queues(lower, upper, settings) is not None
        if jumped and lower.throughput >= settings.onset_share * best.throughput:
            return lower
    return None


def _queues(lower: LevelResult, upper: LevelResult, settings: TuneSettings) -> str | None:
    """How the step from ``lower`` to ``upper`` shows that calls queue, or ``None``.

    Either the p90 latency jumps by more than ``settings.onset_tolerance``, or the step
    adds at least a tenth more callers and gains less than a quarter of the throughput they
    would add if none of them waited (a service slowing down as it gets busier, its
    latency growing as the square root of the callers, gains half).  The second is Little's law (each caller's calls take
    ``level / throughput`` on average), so it holds whatever order the target serves its
    queue in: a target that is not first come, first served (PostgreSQL's locks, a pool
    whose waiters poll) keeps a few callers waiting long and lets the rest through at
    once, so its p90 may not move until far past the knee.  (Below a tenth more callers,
    the throughput a step should add is within a level's measurement noise.)
    """
    if upper.p90_ms > settings.onset_tolerance * lower.p90_ms:
        return f"p90 {format_ms(lower.p90_ms)}, {format_ms(upper.p90_ms)} at level {upper.level}"
    added = upper.level / lower.level - 1
    if added < 0.1 or lower.throughput <= 0:
        return None
    gained = upper.throughput / lower.throughput - 1
    if gained >= added / 4:
        return None
    return (
        f"level {upper.level} adds {added:.0%} more callers for {max(gained, 0):.0%} more "
        f"throughput: mean latency {format_ms(lower.mean_ms)}, {format_ms(upper.mean_ms)} "
        f"at level {upper.level}"
    )


# --- the sweep ----------------------------------------------------------------------------------


def _geometric(max_level: int) -> list[int]:
    levels, level = [], 1
    while level < max_level:
        levels.append(level)
        level *= 2
    levels.append(max_level)
    return levels


def _stop_reason(
    done: Sequence[LevelResult], settings: TuneSettings, *, plateau: bool = True
) -> str | None:
    """Why the sweep should stop after its last level, or ``None`` to go on.

    Errors and exploding latency always stop it; with ``plateau`` false,
    neither falling nor flat throughput does.
    """
    last = done[-1]
    if last.error_rate > settings.error_budget:
        return (
            f"stopped at level {last.level}: error rate {last.error_rate:.1%} is above the "
            f"budget of {settings.error_budget:.1%}"
            + (f" ({last.first_error})" if last.first_error else "")
        )
    bound, which = settings.latency_bound_ms, settings.bound_percentile
    if bound is not None and last.percentile_ms(which) > _EXPLODE * bound:
        return (
            f"stopped at level {last.level}: {which} {format_ms(last.percentile_ms(which))} is more "
            f"than {_EXPLODE:g} times the {format_ms(bound)} bound"
        )
    if not plateau:
        return None
    best = max(done, key=lambda r: r.throughput)
    if last.throughput < _FALL * best.throughput:
        return (
            f"stopped at level {last.level}: throughput fell to {format_rate(last.throughput)}, "
            f"{last.throughput / best.throughput:.0%} of the best"
        )
    if len(done) >= 2:
        prev = done[-2]
        gained = last.throughput < (1 + settings.gain) * prev.throughput
        if gained and last.p50_ms >= _LATENCY_GROWTH * prev.p50_ms:
            return (
                f"stopped at level {last.level}: throughput rose less than "
                f"{settings.gain:.0%} from level {prev.level} while median latency grew "
                f"{last.p50_ms / prev.p50_ms:.1f} times (saturated)"
            )
        if len(done) >= 3 and last.throughput < (1 + settings.gain) * done[-3].throughput:
            return (
                f"stopped at level {last.level}: throughput rose less than "
                f"{settings.gain:.0%} over two steps"
            )
    return None


async def tune(
    make_op: OpFactory,
    *,
    levels: Sequence[int] | None = None,
    max_level: int = 256,
    latency_bound_ms: float | None = None,
    bound_percentile: Percentile = "p99",
    warmup: float = 0.5,
    min_samples: int = 200,
    min_duration: float = 2.0,
    max_duration: float | None = None,
    error_budget: float = 0.01,
    refine_steps: int = 6,
    adaptive_duration: float | None = None,
    target: str = "",
    progress: Progress | None = None,
) -> TuneResult:
    """Sweep concurrency levels of ``make_op`` and recommend one (see the module docstring).

    ``make_op(level)`` is an async context manager yielding the op for
    ``level`` concurrent workers (:func:`fixed_op` wraps a plain op).
    ``levels`` replaces the geometric sweep and the refinement with exactly
    those levels (the sweep still stops early on errors or exploding
    latency).  ``latency_bound_ms`` bounds the ``bound_percentile`` latency
    of an eligible level.  ``error_budget`` is the share of calls allowed to
    fail.  ``adaptive_duration`` (seconds) runs the adaptive phase after the
    sweep.  ``progress`` is called when a level starts and when it ends.

    Raises :class:`TuneError` when the first level cannot be set up.
    """
    if levels is not None:
        chosen = sorted({int(level) for level in levels})
        if not chosen or chosen[0] < 1:
            raise ValueError("levels must be positive integers")
        max_level = chosen[-1]
    if max_level < 1:
        raise ValueError("max_level must be at least 1")
    settings = TuneSettings(
        levels=None if levels is None else tuple(chosen),
        max_level=max_level,
        latency_bound_ms=latency_bound_ms,
        bound_percentile=bound_percentile,
        warmup=warmup,
        min_samples=min_samples,
        min_duration=min_duration,
        max_duration=max_duration if max_duration is not None else max(3 * min_duration, 5.0),
        error_budget=error_budget,
        refine_steps=refine_steps,
    )
    measured: dict[int, LevelResult] = {}

    async def run(level: int, phase: str) -> LevelResult:
        if progress is not None:
            progress(TuneProgress(phase, level))
        try:
            async with make_op(level) as op:
                result = await measure_level(
                    op,
                    level,
                    warmup=settings.warmup,
                    min_samples=settings.min_samples,
                    min_duration=settings.min_duration,
                    max_duration=settings.max_duration,
                    phase=phase,
                )
        except Exception as exc:
            raise _SetupError(level, exc) from exc
        measured[level] = result
        if progress is not None:
            progress(TuneProgress(phase, level, result))
        return result

    stopped = ""
    try:
        if settings.levels is not None:
            stopped = await _explicit(run, settings)
        else:
            stopped = await _geometric_sweep(run, settings)
            await _refine(run, measured, settings)
    except _SetupError as exc:
        if not measured:
            raise TuneError(
                f"cannot set up level {exc.level}: {describe_error(exc.error)}"
            ) from None
        stopped = (
            f"stopped at level {exc.level}: setting it up failed ({describe_error(exc.error)})"
        )
    ordered = tuple(sorted(measured.values(), key=lambda r: r.level))
    recommended, reason = recommend(ordered, settings)
    adaptive = comparison = None
    if adaptive_duration is not None and adaptive_duration > 0:
        ceiling = max(measured)
        if progress is not None:
            progress(TuneProgress("adaptive", ceiling))
        try:
            async with make_op(ceiling) as op:
                adaptive = await run_adaptive(op, max_limit=ceiling, duration=adaptive_duration)
        except Exception as exc:
            comparison = f"The adaptive phase could not run: {describe_error(exc)}."
        else:
            if progress is not None:
                progress(TuneProgress("adaptive", ceiling, adaptive=adaptive))
            comparison = compare(adaptive, ordered, recommended)
    return TuneResult(
        target=target,
        settings=settings,
        levels=ordered,
        recommended=recommended,
        reason=reason,
        stopped=stopped,
        adaptive=adaptive,
        comparison=comparison,
    )


class _SetupError(Exception):
    def __init__(self, level: int, error: BaseException) -> None:
        super().__init__(level, error)
        self.level = level
        self.error = error


_Run = Callable[[int, str], Awaitable[LevelResult]]


async def _explicit(run: _Run, settings: TuneSettings) -> str:
    assert settings.levels is not None
    done: list[LevelResult] = []
    for level in settings.levels:
        done.append(await run(level, "explicit"))
        # with explicit levels, a plateau is no reason to skip the levels asked for
        reason = _stop_reason(done, settings, plateau=False)
        if reason is not None:
            return reason
    return "measured every level asked for"


async def _geometric_sweep(run: _Run, settings: TuneSettings) -> str:
    done: list[LevelResult] = []
    for level in _geometric(settings.max_level):
        done.append(await run(level, "sweep"))
        reason = _stop_reason(done, settings)
        if reason is not None:
            return reason
    return f"reached the maximum level, {settings.max_level}"


async def _refine(run: _Run, measured: dict[int, LevelResult], settings: TuneSettings) -> None:
    """Bisect around the knee (at most ``settings.refine_steps`` more levels)."""
    budget = settings.refine_steps

    async def bisect(lo: int, hi: int, passes: Callable[[int], bool]) -> None:
        """``lo`` fails and ``hi`` passes; narrow them down."""
        nonlocal budget
        while budget > 0 and hi - lo > max(1, hi // 10):
            mid = (lo + hi) // 2
            if mid not in measured:
                budget -= 1
                await run(mid, "refine")
            if passes(mid):
                hi = mid
            else:
                lo = mid

    # 1. when the latency bound cuts between two measured levels, find the last level within it
    ordered = sorted(measured)
    eligible = [level for level in ordered if _within(measured[level], settings)]
    if settings.latency_bound_ms is not None and eligible:
        top = eligible[-1]
        above = [level for level in ordered if level > top]
        if above and measured[above[0]].error_rate <= settings.error_budget:
            # "passes" here means "beyond the bound": bisect for the boundary
            await bisect(top, above[0], lambda level: not _within(measured[level], settings))

    # 2. bisect below the recommended level for the smallest one reaching the share of the best
    def reaches(level: int) -> bool:
        result = measured[level]
        eligible_now = _eligible(measured.values(), settings)
        best = max((r.throughput for r in eligible_now), default=0.0)
        return _within(result, settings) and result.throughput >= settings.share * best

    recommended, _ = recommend(list(measured.values()), settings)
    if recommended is not None:
        below = [level for level in sorted(measured) if level < recommended]
        if below:
            await bisect(below[-1], recommended, reaches)

    # 3. when the choice is the last level before queueing (below the 95% level), look
    #    between it and the next level measured for where the queueing really starts
    recommended, _ = recommend(list(measured.values()), settings)
    if recommended is not None and not reaches(recommended):
        base = measured[recommended]
        above = [level for level in sorted(measured) if level > recommended]
        if above:
            await bisect(
                recommended,
                above[0],
                lambda level: _queues(base, measured[level], settings) is not None,
            )


# --- the adaptive phase -------------------------------------------------------------------------


async def run_adaptive(op: Op, *, max_limit: int, duration: float) -> AdaptiveResult:
    """Drive ``op`` through an ``AdaptiveLimiter`` (ceiling ``max_limit``) for ``duration`` s.

    ``max_limit`` workers loop ``async with limiter: await op()``; the limiter
    decides how many run at once.  The limit it holds best (its probes aside) is
    recorded at every change.
    """
    from ..limits import AdaptiveLimiter

    loop = asyncio.get_running_loop()
    limiter = AdaptiveLimiter(initial=min(10, max_limit), max_limit=max_limit)
    start = loop.time()
    half = start + duration / 2
    end = start + duration
    trace: list[tuple[float, int]] = [(0.0, limiter.best)]
    latencies: list[float] = []
    counts = {"errors": 0, "all_errors": 0, "requests": 0}
    stop = asyncio.Event()

    async def worker() -> None:
        while not stop.is_set():
            began = loop.time()
            failed = False
            try:
                async with limiter:
                    began = loop.time()  # latency of the call, not of the wait for the limiter
                    await op()
            except Exception:
                failed = True
            now = loop.time()
            if limiter.best != trace[-1][1]:
                trace.append((now - start, limiter.best))
            if now >= end:
                stop.set()
                return
            if failed:
                counts["all_errors"] += 1
                if now >= half:
                    counts["errors"] += 1
                await asyncio.sleep(0)
            elif now >= half:
                latencies.append(now - began)

    workers = [asyncio.create_task(worker()) for _ in range(max_limit)]
    try:
        try:
            async with asyncio.timeout(duration * 2 + 5):
                await stop.wait()
        except TimeoutError:
            stop.set()
        _, pending = await asyncio.wait(workers, timeout=max(1.0, duration))
        for task in pending:
            task.cancel()
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    measured_for = max(end - half, 1e-9)
    ordered = sorted(latencies)
    limits = [limit for _, limit in trace]
    return AdaptiveResult(
        max_limit=max_limit,
        duration=duration,
        settled_limit=_weighted_median(trace, duration / 2, duration),
        min_limit_seen=min(limits),
        max_limit_seen=max(limits),
        requests=len(ordered),
        errors=counts["errors"],
        throughput=len(ordered) / measured_for,
        p50_ms=_percentile(ordered, 0.5) * 1000,
        p99_ms=_percentile(ordered, 0.99) * 1000,
        trace=tuple(trace),
    )


def _weighted_median(trace: Sequence[tuple[float, int]], begin: float, end: float) -> int:
    """The limit held for the median share of the time between ``begin`` and ``end``."""
    spans: dict[int, float] = {}
    for index, (at, limit) in enumerate(trace):
        until = trace[index + 1][0] if index + 1 < len(trace) else end
        lo, hi = max(at, begin), min(until, end)
        if hi > lo:
            spans[limit] = spans.get(limit, 0.0) + (hi - lo)
    if not spans:
        return trace[-1][1]
    total = sum(spans.values())
    running = 0.0
    for limit in sorted(spans):
        running += spans[limit]
        if running >= total / 2:
            return limit
    return max(spans)  # pragma: no cover - rounding


def compare(
    adaptive: AdaptiveResult, levels: Sequence[LevelResult], recommended: int | None
) -> str:
    """One or two sentences comparing the adaptive limiter with the sweep's choice."""
    text = (
        f"AdaptiveLimiter (ceiling {adaptive.max_limit}) settled at {adaptive.settled_limit} "
        f"(seen {adaptive.min_limit_seen}-{adaptive.max_limit_seen}): "
        f"{format_rate(adaptive.throughput)}, p99 {format_ms(adaptive.p99_ms)}"
    )
    chosen = next((r for r in levels if r.level == recommended), None)
    if chosen is None or chosen.throughput == 0:
        return text + "."
    return text + (
        f"; tune's level {chosen.level}: {format_rate(chosen.throughput)}, p99 {format_ms(chosen.p99_ms)} "
        f"(adaptive reaches {adaptive.throughput / chosen.throughput:.0%} of its throughput)."
    )


# --- small helpers ------------------------------------------------------------------------------


def describe_error(error: BaseException) -> str:
    """``Type: message`` on one line (at most 200 characters of message)."""
    text = " ".join(str(error).split())
    name = type(error).__name__
    if not text:
        return name
    return f"{name}: {text[:200]}"


def format_rate(value: float) -> str:
    """``1,234 req/s``."""
    return f"{value:,.0f} req/s" if value >= 100 else f"{value:,.1f} req/s"


def format_ms(value: float) -> str:
    """``12.3 ms`` (``n/a`` for NaN)."""
    if math.isnan(value):
        return "n/a"
    if value >= 100:
        return f"{value:,.0f} ms"
    return f"{value:.1f} ms" if value >= 1 else f"{value:.2f} ms"


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)
