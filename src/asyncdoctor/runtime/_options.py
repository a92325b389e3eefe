"""What the doctor looks for, and how hard.

>>> DoctorOptions(threshold=0.05, detectors=frozenset({"blocking-call"})).sample
0.00125

Every field has a default that suits development and CI: a loop step that
runs 100 ms or more counts as blocking, every detector is on, and nothing
runs per task or per coroutine (creation sites are then found from the
code; ``task_sites`` and ``coroutine_origins`` record them exactly, at a
measured cost).
"""

from __future__ import annotations

from ._record import Record

__all__ = ["KINDS", "DoctorOptions"]

KINDS: tuple[str, ...] = (
    "blocking-call",
    "never-awaited",
    "unretrieved-exception",
    "unclosed-resource",
    "pending-task",
)


class DoctorOptions(Record):
    """Settings of one :class:`~asyncdoctor.runtime.Doctor`.

    Parameters:
        threshold: seconds a single event-loop step may run before it counts
            as a ``blocking-call``.
        detectors: the finding kinds to look for (a subset of :data:`KINDS`).
        stack_limit: the most frames kept per stack (innermost kept).
        heartbeat_interval: seconds between two heartbeats of a loop (they
            measure its lag); at most half the threshold.  ``None`` means: on
            asyncio's own loops, whose selector tells the doctor when each
            batch of callbacks starts and ends, ``threshold / 4`` between 2 ms
            and 25 ms; on other loops (uvloop), where the heartbeat is all that
            tells when a step began, ``threshold / 50`` between 0.5 ms and
            2 ms.
        sample_interval: seconds between two stack samples of a loop that is
            late; ``None`` means ``threshold / 40``, between 1 ms and 5 ms.
        task_sites: record where each task is created (for pending tasks and
            unretrieved exceptions) with a task factory; about 1 us per task
            (20 % of a task that only does ``await sleep(0)``).  Off by
            default: the creation line is then found by looking for the
            ``create_task(coro())`` call in the program's code.
        coroutine_origins: record where *every* coroutine is created, through
            ``sys.set_coroutine_origin_tracking_depth(1)``; exact creation
            lines for never-awaited coroutines, at about 0.2 us per coroutine.
            Off by default: the creation line is then found from the frame
            that dropped the coroutine.
        task_stats: count every task by coroutine name, with how it ended (done,
            cancelled, failed) and how long it lived, for
            ``Doctor.task_stats()`` and the exporters; a task factory and one
            done callback per task, about 3 us per task on 3.11 (most of it
            asyncio's own cost of running a done callback; see
            :mod:`._taskstats`).  Off by default: tasks alive by coroutine are
            then still sampled at the heartbeats, at no cost per task.
        timeline: keep a timeline of what each loop did (busy stretches, slow
            steps, the running task and the pending tasks sampled, lag), for
            ``Doctor.timeline()``, ``asyncdoctor run --trace/--timeline`` and
            SIGUSR2; bounded in memory (see :mod:`._recorder`).  Off by default.
        timeline_seconds: how much of the recent past the timeline keeps.
        live: serve read-only snapshots on a Unix socket that only this user
            can open, for ``asyncdoctor top`` (see ``docs/top.md``); each process
            the doctor follows serves its own.  Off by default.
    """

    __slots__ = (
        "coroutine_origins",
        "detectors",
        "heartbeat_interval",
        "live",
        "sample_interval",
        "stack_limit",
        "task_sites",
        "task_stats",
        "threshold",
        "timeline",
        "timeline_seconds",
    )
    threshold: float
    detectors: frozenset[str]
    stack_limit: int
    heartbeat_interval: float | None
    sample_interval: float | None
    task_sites: bool
    coroutine_origins: bool
    task_stats: bool
    timeline: bool
    timeline_seconds: float
    live: bool

    def __init__(
        self,
        *,
        threshold: float = 0.1,
        detectors: frozenset[str] = frozenset(KINDS),
        stack_limit: int = 30,
        heartbeat_interval: float | None = None,
        sample_interval: float | None = None,
        task_sites: bool = False,
        coroutine_origins: bool = False,
        task_stats: bool = False,
        timeline: bool = False,
        timeline_seconds: float = 60.0,
        live: bool = False,
    ) -> None:
        self._init(
            threshold=threshold,
            detectors=frozenset(detectors),
            stack_limit=stack_limit,
            heartbeat_interval=heartbeat_interval,
            sample_interval=sample_interval,
            task_sites=task_sites,
            coroutine_origins=coroutine_origins,
            task_stats=task_stats,
            timeline=timeline,
            timeline_seconds=timeline_seconds,
            live=live,
        )
        self._check()

    def _check(self) -> None:
        if not self.threshold > 0:
            raise ValueError(f"threshold must be positive, not {self.threshold!r}")
        unknown = set(self.detectors) - set(KINDS)
        if unknown:
            raise ValueError(
                f"unknown detector(s) {', '.join(sorted(unknown))}; choose from {', '.join(KINDS)}"
            )
        if self.stack_limit < 1:
            raise ValueError(f"stack_limit must be at least 1, not {self.stack_limit!r}")
        if not self.timeline_seconds > 0:
            raise ValueError(f"timeline_seconds must be positive, not {self.timeline_seconds!r}")
        for name in ("heartbeat_interval", "sample_interval"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive, not {value!r}")
        if self.heartbeat_interval is not None and self.heartbeat_interval > self.threshold / 2:
            # a step as long as the threshold must still be running when the watchdog,
            # seeing a heartbeat a quarter of the threshold late, first looks at it
            raise ValueError(
                f"heartbeat_interval must be at most half the threshold ({self.threshold / 2!r}), "
                f"not {self.heartbeat_interval!r}"
            )

    def __repr__(self) -> str:
        detectors = "{" + ", ".join(repr(k) for k in KINDS if k in self.detectors) + "}"
        return (
            f"DoctorOptions(threshold={self.threshold!r}, detectors=frozenset({detectors}), "
            f"stack_limit={self.stack_limit!r}, heartbeat_interval={self.heartbeat_interval!r}, "
            f"sample_interval={self.sample_interval!r}, "
            f"task_sites={self.task_sites!r}, "
            f"coroutine_origins={self.coroutine_origins!r}, task_stats={self.task_stats!r}, "
            f"timeline={self.timeline!r}, timeline_seconds={self.timeline_seconds!r}, "
            f"live={self.live!r})"
        )

    def beat(self, *, marked: bool = True) -> float:
        """The heartbeat interval in effect, in seconds, on a loop whose batches are
        ``marked`` (asyncio's loops) or not (uvloop)."""
        if self.heartbeat_interval is not None:
            return self.heartbeat_interval
        if marked:
            return min(0.025, max(0.002, self.threshold / 4))
        return min(0.002, max(0.0005, self.threshold / 50))

    @property
    def sample(self) -> float:
        """The sampling interval in effect, in seconds."""
        if self.sample_interval is not None:
            return self.sample_interval
        return min(0.005, max(0.001, self.threshold / 40))

    def wants(self, kind: str) -> bool:
        """Whether the detector for ``kind`` is on."""
        return kind in self.detectors
