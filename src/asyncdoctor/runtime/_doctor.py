"""The doctor: installs the detectors, collects findings, builds the report.

>>> import asyncio, asyncdoctor.runtime as rt
>>> with rt.watch() as doctor:
...     asyncio.run(asyncio.sleep(0))
>>> doctor.report().findings
()

``install()`` keeps one process-wide :class:`Doctor`; ``watch()`` installs
one for the duration of a ``with`` block.  The doctor never changes what the
program does: it wraps a few asyncio and warnings hooks (restored by
``uninstall``), never the program's coroutines, and if one of its own parts
fails it says so once on stderr and goes on without it.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from ._inventory import Inventory
from ._loops import LoopState, LoopWatcher
from ._models import Frame, LoopMetrics, RuntimeFinding, RuntimeReport
from ._options import KINDS, DoctorOptions
from ._patch import Patches
from ._tasks import TaskTracker
from ._warnhooks import WarningHooks
from ._watchdog import Watchdog

if TYPE_CHECKING:  # (imported when first read: dataclasses cost `run` start-up time)
    from ._follow import Follower
    from ._live import LiveServer
    from ._metrics import BlockingSite, LoopHealth, TaskStats
    from ._recorder import Recorder
    from ._resources import PoolSite, QueueSite, ResourceCount
    from ._timeline import Timeline

__all__ = ["Doctor", "current", "install", "uninstall", "watch"]

_LAG_RESERVOIR = 50_000


class Doctor:
    """Watches every event loop of the process and records what goes wrong.

    Create it with :class:`DoctorOptions`, :meth:`install` it before the
    program's loops run, read :meth:`report` at the end.  The pytest plugin
    uses :meth:`mark` and :meth:`findings_since` to attribute findings to
    the test during which they happened.
    """

    def __init__(self, options: DoctorOptions | None = None) -> None:
        self.options = options if options is not None else DoctorOptions()
        self.patches = Patches()
        self.closing = False
        self._installed = False
        self._lock = threading.Lock()
        self._findings: list[RuntimeFinding] = []
        self._complained = False
        self._unavailable: dict[str, str] = {}
        self._lags: list[float] = []
        self._lag_count = 0
        self._lag_max = 0.0
        self.loops = LoopWatcher(self)
        self.watchdog = Watchdog(self)
        self.tasks = TaskTracker(self)
        self.warnhooks = WarningHooks(self)
        self.inventory = Inventory(self)
        self._random: Any = None  # a random.Random, once the reservoir is full
        self._pid = os.getpid()
        #: This process's part in a run that follows child processes (see ``_follow``), if any.
        self.follower: Follower | None = None
        #: The timeline's recorder (``DoctorOptions(timeline=True)``), else None: nothing to pay.
        self.recorder: Recorder | None = None
        #: The live socket for ``asyncdoctor top`` (``DoctorOptions(live=True)``), else None.
        self.live_server: LiveServer | None = None
        if self.options.timeline:
            from ._recorder import Recorder

            self.recorder = Recorder(self)

    def __repr__(self) -> str:
        state = "installed" if self._installed else "not installed"
        return f"<Doctor {state}, {len(self._findings)} findings, {self.options!r}>"

    # -- installation -----------------------------------------------------------

    def install(self) -> None:
        """Start watching (idempotent).

        Hooks loops run after this point, and the loop currently running in
        this thread, if any.
        """
        if self._installed:
            return
        self._installed = True
        self.closing = False
        try:
            self.loops.install()
            self.tasks.install()
            self.warnhooks.install()
            self._install_inventory()
            if self.recorder is not None:
                self.recorder.install()
            if self.options.live:
                self._serve_live()
            atexit.register(self._at_exit)
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=self._after_fork)
            running = asyncio._get_running_loop()
            if running is not None:
                self.loops.loop_started(running, None)
        except Exception as exc:
            self.internal_error("install", exc)

    def uninstall(self) -> None:
        """Stop watching and undo every patch (findings are kept)."""
        if not self._installed:
            return
        self._installed = False
        try:
            self.watchdog.flush()
        except Exception as exc:
            self.internal_error("uninstall", exc)
        self.closing = True
        self.watchdog.stop()
        self.loops.detach_all()
        self.tasks.detach_all()
        self.warnhooks.uninstall()
        self.inventory.uninstall()
        if self.recorder is not None:
            self.recorder.uninstall()
        if self.live_server is not None:
            self.live_server.close()
            self.live_server = None
        self.patches.restore()
        with suppress(Exception):
            atexit.unregister(self._at_exit)

    @property
    def installed(self) -> bool:
        return self._installed

    def _at_exit(self) -> None:
        # Interpreter shutdown: nothing the loops do from here on is reported.
        with suppress(Exception):
            self.watchdog.flush()
        self.closing = True
        self.watchdog.stop()

    def _after_fork(self) -> None:
        """In a forked child (``os.register_at_fork``): start afresh, as a worker when followed.

        The child has one thread, a copy of the one that forked: locks held by
        the others are re-created, the parent's findings, lag figures and loops
        (none of which runs here) are forgotten (the parent reports them), and
        a followed run's child becomes a worker that writes its own report.
        """
        self.watchdog.after_fork()
        if not self._installed or self._pid == os.getpid():
            return
        self._pid = os.getpid()
        try:
            self._lock = threading.Lock()
            self._findings = []
            self._lags = []
            self._lag_count = 0
            self._lag_max = 0.0
            self.watchdog.slowest = []
            self.loops.after_fork()
            self.tasks.sites.lock = threading.Lock()
            self.inventory.after_fork()
            if self.recorder is not None:
                self.recorder.after_fork()
            self.tasks._created = 0  # tasks the parent created are the parent's to count
            self.tasks._peak = None
            self.tasks.after_fork()
            if self.follower is not None:
                self.follower.after_fork()
            if self.live_server is not None:  # the parent's socket stays the parent's
                self.live_server.forget()
                self.live_server = None
                self._serve_live()
        except Exception as exc:
            self.internal_error("fork", exc)

    def _serve_live(self) -> None:
        """Serve snapshots for ``asyncdoctor top`` on this process's socket in the user's live folder."""
        from ._live import LiveServer
        from ._livedir import socket_path

        try:
            self.live_server = LiveServer(self, socket_path(os.getpid(), create=True))
        except OSError as exc:  # PermissionError included: a live folder that is not private
            self.internal_error("live socket", exc)

    # -- called by the parts ---------------------------------------------------------

    def attach_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """First time ``loop`` runs (in its thread): per-loop instruments."""
        if not self._installed:
            return
        try:
            self.tasks.attach(loop)
            self.warnhooks.set_origin_tracking_in_thread()
            self.warnhooks.patch_constructors()
            self.inventory.scan()
        except Exception as exc:
            self.internal_error("loop instruments", exc)

    def loop_stopped(self, state: LoopState) -> None:
        try:
            self.watchdog.settle(state)
        except Exception as exc:
            self.internal_error("blocking-call", exc)
        if self.follower is not None:  # a worker leaves its report so far (see _follow)
            self.follower.loop_stopped()

    def watchdog_wake(self) -> None:
        if self.options.wants("blocking-call") and not self.closing:
            self.watchdog.ensure_thread()
            self.watchdog.wake()

    def record(self, finding: RuntimeFinding) -> None:
        with self._lock:
            self._findings.append(finding)

    def record_lag(self, lag: float) -> None:
        lag = max(lag, 0.0)
        if lag > self._lag_max:
            self._lag_max = lag
        self._lag_count += 1
        lags = self._lags
        if len(lags) < _LAG_RESERVOIR:
            lags.append(lag)
        else:
            if self._random is None:
                import random  # not at start-up: most runs never fill the reservoir

                self._random = random.Random(0)
            slot = self._random.randrange(self._lag_count)
            if slot < _LAG_RESERVOIR:
                lags[slot] = lag

    def unavailable(self, what: str, reason: str) -> None:
        """Note that ``what`` (a detector or a figure) cannot work here, and why.

        The report lists it (``RuntimeReport.unavailable``), so that the user
        learns what was not watched instead of reading silence as "all clear".
        """
        self._unavailable.setdefault(what, reason)

    def unavailable_list(self) -> tuple[tuple[str, str], ...]:
        """What cannot work here, and why (see :meth:`unavailable`)."""
        return tuple(self._unavailable.items())

    def internal_error(self, where: str, exc: BaseException) -> None:
        """Say once, on stderr, that part of the doctor failed; the program goes on."""
        if self._complained:
            return
        self._complained = True
        try:
            stream = sys.stderr if sys.stderr is not None else sys.__stderr__
            if stream is not None:
                stream.write(
                    f"asyncdoctor: internal error in {where} ({type(exc).__name__}: {exc}); "
                    "the program goes on, some findings may be missing\n"
                )
                stream.flush()
        except Exception:
            pass

    # -- reading -------------------------------------------------------------------

    def mark(self) -> int:
        """An opaque position in the finding stream (for :meth:`findings_since`)."""
        self._settle()
        with self._lock:
            return len(self._findings)

    def findings_since(self, mark: int) -> list[RuntimeFinding]:
        """The findings recorded after ``mark``, grouped by kind and location."""
        self._settle()
        with self._lock:
            recent = self._findings[mark:]
        return list(_group(recent))

    def report(self) -> RuntimeReport:
        """Everything so far: grouped findings and the loop metrics."""
        self._settle()
        with self._lock:
            findings = list(self._findings)
        return RuntimeReport(
            findings=_group(findings),
            metrics=self._metrics(),
            unavailable=self.unavailable_list(),
        )

    def timeline(self) -> Timeline | None:
        """What each loop did lately (``DoctorOptions(timeline=True)``), else ``None``."""
        if self.recorder is None:
            return None
        self._settle()
        return self.recorder.timeline()

    def loop_health(self) -> list[LoopHealth]:
        """Every loop's utilization, lag histogram, thread CPU time and pending tasks, now."""
        from ._metrics import loop_health

        return loop_health(self)

    def task_stats(self, limit: int = 20) -> TaskStats | None:
        """Tasks by coroutine: created, finished by outcome, lifetimes (``task_stats`` option).

        The ``limit`` names with the most tasks, then ``"other"`` for the rest;
        ``None`` when ``DoctorOptions(task_stats=True)`` was not asked for (tasks
        alive by coroutine are in :meth:`loop_health` either way).
        """
        from ._metrics import task_stats

        return task_stats(self, limit)

    def blocking_sites(self, limit: int = 20) -> tuple[list[BlockingSite], BlockingSite | None]:
        """Blocking steps by location, most time first: the ``limit`` first, and the rest in one.

        The rest (``None`` when there is none) keeps the number of distinct
        locations bounded, whatever the program does, for the exporters' labels.
        """
        from ._metrics import BlockingSite

        self._settle()
        by_place: dict[str, list[float]] = {}
        with self._lock:
            for finding in self._findings:
                if finding.kind == "blocking-call":
                    entry = by_place.setdefault(str(finding.location), [0, 0.0])
                    entry[0] += finding.count
                    entry[1] += finding.duration or 0.0
        ranked = sorted(by_place.items(), key=lambda kv: (-kv[1][1], kv[0]))
        top = [BlockingSite(place, int(n), secs) for place, (n, secs) in ranked[:limit]]
        rest = ranked[limit:]
        other = (
            BlockingSite("other", int(sum(n for _, (n, _s) in rest)), sum(s for _, (_n, s) in rest))
            if rest else None
        )
        return top, other

    def queues(self, limit: int = 20) -> list[QueueSite]:
        """The live ``asyncio.Queue`` objects by creation site, now: count, depth, bound, waiters.

        The ``limit`` sites holding the most items come first, the others are
        summed in one entry whose site is ``"other"`` (a bounded number of
        labels for the exporters, whatever the program does).
        """
        from ._resources import queue_sites

        return queue_sites(self, limit)

    def pools(self, limit: int = 20) -> list[PoolSite]:
        """The open connection pools (aiohttp, httpcore/httpx, asyncpg) by kind and creation site, now.

        Connections in use and idle, requests waiting, the limit; per kind the
        ``limit`` busiest sites, then ``"other"``.
        """
        from ._resources import pool_sites

        return pool_sites(self, limit)

    def resources(self) -> list[ResourceCount]:
        """Sessions, clients, pools and connections by kind: open now, and made since install."""
        from ._resources import resource_counts

        return resource_counts(self)

    def _install_inventory(self) -> None:
        try:
            self.inventory.install()
        except Exception as exc:
            self.internal_error("inventory", exc)

    def _settle(self) -> None:
        try:
            self.watchdog.flush()
        except Exception as exc:
            self.internal_error("report", exc)

    def _metrics(self) -> LoopMetrics:
        lags = sorted(self._lags)

        def percentile(p: float) -> float:
            if not lags:
                return 0.0
            index = min(len(lags) - 1, max(0, round(p * (len(lags) - 1))))
            return round(lags[index] * 1000, 3)

        with self.watchdog.lock:
            slowest = tuple(
                (key, round(duration * 1000, 1)) for duration, key in self.watchdog.slowest
            )
        return LoopMetrics(
            loops_seen=self.loops.seen,
            tasks_created=self.tasks.created,
            tasks_peak_alive=self.tasks.peak,
            lag_p50_ms=percentile(0.50),
            lag_p90_ms=percentile(0.90),
            lag_p99_ms=percentile(0.99),
            lag_max_ms=round(self._lag_max * 1000, 3),
            slowest_steps=slowest,
        )


def _group(findings: list[RuntimeFinding]) -> tuple[RuntimeFinding, ...]:
    """Merge findings of the same kind at the same location, in order of first sighting.

    A group keeps the message, stack and request context of its longest member
    (the first, for findings without a duration); when its members came from
    several requests (distinct correlation IDs), ``extra["requests"]`` says how
    many.
    """
    groups: dict[tuple[str, Frame], list[RuntimeFinding]] = {}
    for finding in findings:
        groups.setdefault((finding.kind, finding.location), []).append(finding)
    merged: list[RuntimeFinding] = []
    for members in groups.values():
        first = members[0]
        if len(members) == 1:
            merged.append(first)
            continue
        durations = [m.duration for m in members if m.duration is not None]
        extra = dict(first.extra)
        if durations:
            extra["max_ms"] = f"{max(durations) * 1000:.1f}"
        longest = max(members, key=lambda m: m.duration or 0.0)
        requests = {
            value for m in members for key, value in m.context or () if key == "correlation_id"
        }
        if len(requests) > 1:
            extra["requests"] = str(len(requests))
        merged.append(
            RuntimeFinding(
                kind=first.kind,
                message=longest.message,
                location=first.location,
                stack=longest.stack,
                count=len(members),
                duration=sum(durations) if durations else None,
                created_at=first.created_at,
                extra=tuple(extra.items()),
                suspended_at=first.suspended_at,
                context=longest.context,
            )
        )
    order = {kind: index for index, kind in enumerate(KINDS)}
    merged.sort(key=lambda f: order.get(f.kind, len(order)))
    return tuple(merged)


_current: Doctor | None = None
_current_lock = threading.Lock()


def install(options: DoctorOptions | None = None) -> Doctor:
    """Install the process-wide doctor (or return the one already installed)."""
    global _current
    with _current_lock:
        if _current is None or not _current.installed:
            _current = Doctor(options)
            _current.install()
        return _current


def uninstall() -> None:
    """Uninstall the process-wide doctor, if any (its findings stay readable)."""
    global _current
    with _current_lock:
        doctor, _current = _current, None
    if doctor is not None:
        doctor.uninstall()


def current() -> Doctor | None:
    """The process-wide doctor, if one is installed."""
    return _current if _current is not None and _current.installed else None


@contextmanager
def watch(options: DoctorOptions | None = None) -> Iterator[Doctor]:
    """Install a doctor for the duration of the block, then uninstall it.

    The doctor is also :func:`current` inside the block (unless another one
    was already installed process-wide, which is then left alone).
    """
    global _current
    doctor = Doctor(options)
    doctor.install()
    with _current_lock:
        owned = _current is None or not _current.installed
        if owned:
            _current = doctor
    try:
        yield doctor
    finally:
        doctor.uninstall()
        with _current_lock:
            if owned and _current is doctor:
                _current = None
