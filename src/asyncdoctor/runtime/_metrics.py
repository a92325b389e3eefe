"""Loop health as figures: utilization, lag, loop-thread CPU, tasks and blocking steps.

Nothing here runs per task or per step: the figures are read from what the
doctor already keeps (see :mod:`._loops`), when an exporter asks.

**Event-loop utilization (ELU)** follows Node.js's definition
(``performance.eventLoopUtilization()``): the loop is *idle* while it waits
in the OS poll with a timeout other than zero, and ELU = active / (active +
idle) over the time the loop was running.

* On asyncio's own loops it is exact: the selector's ``select`` is timed on
  the loop's turn marks (two clock reads per turn, which the blocking-call
  detector already takes), and a call with ``timeout=0`` (callbacks ready)
  is not idle.
* uvloop runs libuv's loop in C and offers no hook around its poll: the
  busy time is estimated from the doctor's heartbeat (a timer every 2 ms by
  default) as the sum of its lateness above 2 ms.  It is a lower bound: busy
  stretches shorter than about 2 ms are missed, so a loop doing many tiny
  steps reads lower than it is.  On Linux the thread's waits for a CPU are
  taken out of the lateness (see ``_loops._RunqueueWait``): a starved
  process's late heartbeat is not a busy loop.  ``utilization_method`` says which one a
  figure is; ``None`` (unknown) where neither is available, never 0.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._loops import LAG_BUCKETS

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._loops import LoopState

__all__ = ["BlockingSite", "CoroutineTasks", "LoopHealth", "TaskStats", "loop_health", "task_stats"]


@dataclass(frozen=True)
class LoopHealth:
    """One loop's health since the doctor first saw it run.

    ``label`` names the loop in exported series (``asyncio.UnixSelectorEventLoop#1``:
    the loop's class and the order in which the doctor saw it).  ``utilization`` is
    ``None`` when it cannot be measured (a heartbeat-less run on uvloop).
    ``lag_buckets`` are cumulative counts of heartbeat lateness at or below each
    bound of ``lag_bounds`` (Prometheus's convention), the last one being every beat.
    ``cpu_seconds`` is the loop thread's CPU time (``None``: not readable here).
    ``tasks_pending`` is the number of pending tasks at the last count (sampled
    at heartbeats), ``tasks_by_coroutine`` the same count by coroutine name,
    most first: the 20 names with the most tasks, then ``("other", n)`` for the
    rest (``None`` until the first count).  ``steps`` is how many callbacks the loop
    ran (task steps, futures' callbacks, timers, the doctor's own heartbeat), counted
    at each turn of asyncio's loops; ``None`` (unknown) on uvloop.
    """

    label: str
    loop_class: str
    thread_id: int
    running: bool
    run_seconds: float
    idle_seconds: float | None
    utilization: float | None
    utilization_method: str | None  # "poll" (exact), "heartbeat" (lower bound), or None
    lag_bounds: tuple[float, ...]
    lag_buckets: tuple[int, ...]
    lag_sum: float
    lag_count: int
    cpu_seconds: float | None
    tasks_pending: int | None
    tasks_by_coroutine: tuple[tuple[str, int], ...] | None = None
    steps: int | None = None


@dataclass(frozen=True)
class BlockingSite:
    """Blocking steps at one location: how many, and how long in all."""

    location: str
    count: int
    seconds: float


@dataclass(frozen=True)
class CoroutineTasks:
    """The tasks of one coroutine name since the doctor started (``task_stats``).

    ``name`` is the coroutine's ``__qualname__`` (``"?"``: the coroutine was
    gone; ``"other"``: the names not shown one by one).  ``created`` counts the
    tasks made; ``done``, ``cancelled`` and ``failed`` those that ended so (a
    task still running, or destroyed while pending, is in none of them).
    ``duration_buckets`` are cumulative counts of lifetimes at or below each
    bound of :attr:`TaskStats.duration_bounds` (Prometheus's convention), the
    last one being every finished task; ``duration_sum`` is their sum, in
    seconds.
    """

    name: str
    created: int
    done: int
    cancelled: int
    failed: int
    duration_buckets: tuple[int, ...]
    duration_sum: float

    @property
    def finished(self) -> int:
        """Tasks that ended, whichever way."""
        return self.done + self.cancelled + self.failed


@dataclass(frozen=True)
class TaskStats:
    """Every task the loops created since the doctor started, by coroutine (``task_stats``).

    ``coroutines`` holds the names with the most tasks created, most first,
    then ``"other"`` for all the rest (when there is a rest): the number of
    names stays bounded whatever the program does.  ``created`` and
    ``finished`` are the totals over every name.
    """

    duration_bounds: tuple[float, ...]
    coroutines: tuple[CoroutineTasks, ...]
    created: int
    finished: int


def task_stats(doctor: Doctor, limit: int = 20) -> TaskStats | None:
    """The task statistics of every loop, by coroutine; ``None`` when ``task_stats`` is off."""
    tables = doctor.tasks.stats
    if tables is None:
        return None
    from ._taskstats import (
        BUCKETS,
        CANCELLED,
        CREATED,
        DONE,
        DURATION_BOUNDS,
        FAILED,
        OTHER,
        SECONDS,
    )

    rows = tables.merged()
    names = sorted((name for name in rows if name != OTHER), key=lambda n: (-rows[n][CREATED], n))
    rest = names[limit:] + ([OTHER] if OTHER in rows else [])
    groups = [(name, [rows[name]]) for name in names[:limit]]
    if rest:
        groups.append((OTHER, [rows[name] for name in rest]))
    out: list[CoroutineTasks] = []
    for name, members in groups:
        total = [sum(column) for column in zip(*members, strict=True)]
        cumulative: list[int] = []
        running = 0
        for count in total[BUCKETS:]:
            running += int(count)
            cumulative.append(running)
        out.append(
            CoroutineTasks(
                name=name,
                created=int(total[CREATED]),
                done=int(total[DONE]),
                cancelled=int(total[CANCELLED]),
                failed=int(total[FAILED]),
                duration_buckets=tuple(cumulative),
                duration_sum=float(total[SECONDS]),
            )
        )
    return TaskStats(
        duration_bounds=DURATION_BOUNDS,
        coroutines=tuple(out),
        created=sum(c.created for c in out),
        finished=sum(c.finished for c in out),
    )


def _thread_cpu(state: LoopState) -> float | None:
    """The loop thread's CPU time, read from another thread (``None`` where it cannot be).

    Linux's ``/proc/self/task/<tid>/schedstat`` (its first field: nanoseconds on
    a CPU) is read, never ``pthread_getcpuclockid``: on a thread that has just
    ended that would read freed memory, and the doctor must never crash the
    program.  Elsewhere only the calling thread's own time is known.
    """
    if state.thread_id and state.thread_id == threading.get_ident():
        return time.thread_time()
    if not state.sched_path:
        return None
    try:
        with open(state.sched_path, "rb") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None  # the thread has ended


def loop_health(doctor: Doctor, *, now: float | None = None) -> list[LoopHealth]:
    """The health of every loop running now, and of the last loops that ended, in the order seen."""
    now = time.monotonic() if now is None else now
    out: list[LoopHealth] = []
    watcher = doctor.loops
    with watcher.lock:
        finished = list(watcher.finished)
    states = sorted({id(s): s for s in [*finished, *watcher.snapshot()]}.values(), key=lambda s: s.number)
    for state in states:
        run = state.run_total + (now - state.run_since if state.running and state.run_since else 0.0)
        idle: float | None
        method: str | None
        if state.marked:
            idle, method = min(state.idle_total, run), "poll"
        elif state.beats:
            idle, method = max(0.0, run - state.busy_estimate), "heartbeat"
        else:
            idle, method = None, None
        utilization = (1.0 - idle / run) if idle is not None and run > 0 else None
        cumulative: list[int] = []
        total = 0
        for count in state.lag_buckets:
            total += count
            cumulative.append(total)
        out.append(
            LoopHealth(
                label=f"{state.name}#{state.number}",
                loop_class=state.name,
                thread_id=state.native_id,
                running=state.running,
                run_seconds=run,
                idle_seconds=idle,
                utilization=None if utilization is None else min(1.0, max(0.0, utilization)),
                utilization_method=method,
                lag_bounds=LAG_BUCKETS,
                lag_buckets=tuple(cumulative),
                lag_sum=state.lag_sum,
                lag_count=total,
                cpu_seconds=_thread_cpu(state) if state.running else None,
                tasks_pending=state.tasks_pending,
                tasks_by_coroutine=state.tasks_by_coroutine,
                steps=state.steps,
            )
        )
    return out


#: Running time (seconds) below which a reading's utilization is not judged: too short.
MIN_RUN = 0.05


def lag_quantile(bounds: tuple[float, ...], cumulative: tuple[int, ...] | list[int],
                 q: float) -> tuple[float, float] | None:
    """The bucket of a cumulative lag histogram that holds the ``q`` quantile, as (low, high).

    ``None`` with no beat at all.  Above the last bound, ``high`` is infinite.
    """
    if not cumulative or cumulative[-1] <= 0:
        return None
    rank = q * cumulative[-1]
    low = 0.0
    for bound, count in zip(bounds, cumulative, strict=False):
        if count >= rank:
            return low, bound
        low = bound
    return low, float("inf")


def delta_figures(before: LoopHealth | None, after: LoopHealth) -> tuple[float | None, float | None]:
    """Between two readings of one loop: the lag p99's lower bound, and the utilization.

    Either is ``None`` when the loop did not run long enough (or beat) in between
    to tell.  The lower bound makes a budget fail only on lag that surely passed it.
    """
    base = before.lag_buckets if before is not None else (0,) * len(after.lag_buckets)
    diff = [a - b for a, b in zip(after.lag_buckets, base, strict=True)]
    bucket = lag_quantile(after.lag_bounds, diff, 0.99)
    p99 = bucket[0] if bucket is not None else None
    run = after.run_seconds - (before.run_seconds if before is not None else 0.0)
    utilization: float | None = None
    if after.idle_seconds is not None and run >= MIN_RUN:
        idle_before = before.idle_seconds if before is not None and before.idle_seconds is not None else 0.0
        utilization = min(1.0, max(0.0, 1.0 - (after.idle_seconds - idle_before) / run))
    return p99, utilization
