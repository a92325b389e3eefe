"""Finding every event loop, and the heartbeat each one gets.

How loops are found (verified against CPython 3.11-3.15 and uvloop 0.19-0.23):

* ``BaseEventLoop.run_forever`` calls ``events._set_running_loop(self)``,
  looked up in the module at call time, when it starts and
  ``events._set_running_loop(None)`` when it stops.  We wrap
  ``asyncio.events._set_running_loop`` (and ``asyncio._set_running_loop``,
  the same function re-exported).
* uvloop binds ``asyncio._set_running_loop`` once, when ``uvloop.loop`` is
  imported (``cdef aio_set_running_loop = getattr(asyncio, ...)`` in
  ``includes/stdlib.pxi``), so the wrapper sees uvloop loops only when it was
  installed before uvloop was imported (``asyncdoctor run`` guarantees it).
* As a fallback that works whatever the import order, both loops call
  ``sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook, ...)``
  (a module attribute looked up at call time, also from Cython) right before
  they start running, and put the previous hooks back right after they stop:
  we wrap ``sys.set_asyncgen_hooks`` and read the loop from the bound
  method's ``__self__``.

Both hooks run in the loop's own thread, just before the loop runs, so the
per-loop instruments (heartbeat, task factory, exception-handler hook) are
attached there without any cross-thread call.  Each loop is registered once,
weakly (:class:`weakref.WeakKeyDictionary`).  A loop that is already
running in another thread when the doctor is installed is not seen until it
is run again.

The heartbeat is a ``loop.call_later(interval, beat)`` that re-arms itself;
it records when it ran and how late it was (the loop lag), and now and then
counts the loop's pending tasks.  On asyncio's own loops the selector also
marks when each batch of callbacks begins and ends (:meth:`LoopState.mark_batches`).
The watchdog thread (:mod:`._watchdog`) reads those times to tell when a loop
is stuck and for how long.  When a loop stops running its heartbeat is
cancelled, so time spent between two ``run_until_complete`` calls never
counts as lag.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import sys
import threading
import time
import weakref
from bisect import bisect_left
from types import FrameType
from typing import TYPE_CHECKING, Any

from ._frames import frame_data, is_user_file
from ._models import Frame

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._recorder import LoopRecording

__all__ = ["LAG_BUCKETS", "LoopState", "LoopWatcher"]

#: Lateness of a heartbeat (seconds) that counts as time the loop was busy, on loops
#: whose turns cannot be marked: libuv rounds its timers to the millisecond, so an idle
#: loop's heartbeat is up to a millisecond late.
_BUSY_LAG = 0.002

#: Upper bounds (seconds) of the loop-lag histogram's buckets, as Prometheus counts them.
LAG_BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_monotonic = time.monotonic
#: An idle wait longer than this (seconds) ends a busy stretch of the timeline (_recorder).
_MERGE_GAP = 0.001


def _loop_name(loop: object) -> str:
    cls = type(loop)
    module = cls.__module__
    if module.startswith("asyncio."):
        module = "asyncio"
    return f"{module}.{cls.__qualname__}"


def _schedstat_path() -> str | None:
    """Linux's per-thread ``schedstat`` (time on CPU, time waiting for one), if readable."""
    try:
        path = f"/proc/self/task/{threading.get_native_id()}/schedstat"
    except (AttributeError, OSError):
        return None
    return path if os.path.exists(path) else None


def runqueue_wait(fd: int) -> float:
    """Seconds the thread whose open ``schedstat`` is ``fd`` has waited for a CPU (its second
    field).  ``pread`` at offset 0 makes /proc regenerate the figures: about 8 us, against
    90 us for open/read/close."""
    return int(os.pread(fd, 128, 0).split()[1]) / 1e9


class _RunqueueWait:
    """How long the calling thread waited for a CPU (Linux's ``schedstat``, second field).

    On a loop whose turns are not marked (uvloop) the busy time is estimated from
    how late the heartbeat runs; on a loaded machine a heartbeat is also late
    because the thread waited for a CPU, which is not the loop being busy.  Read
    at each heartbeat, this says how much of the lateness was that wait.  One
    ``pread`` of an open file a beat (a few microseconds); ``None`` where the
    file cannot be read (not Linux, no schedstat).
    """

    __slots__ = ("fd", "last", "pid")

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        self.pid = os.getpid()
        self.last = runqueue_wait(self.fd)

    def since_last(self) -> float:
        """Seconds waited since the previous call."""
        now = runqueue_wait(self.fd)
        waited, self.last = now - self.last, now
        return waited

    def __del__(self) -> None:
        # closed when the last reference goes (a beat running in the loop's thread may hold
        # one while another thread lets go of it)
        if self.pid == os.getpid():  # a forked child's copy of the parent's thread's file stays
            with contextlib.suppress(OSError):
                os.close(self.fd)


def _runqueue_wait(path: str | None) -> _RunqueueWait | None:
    if path is None:
        return None
    try:
        return _RunqueueWait(path)
    except (OSError, ValueError, IndexError):
        return None


class LoopState:
    """What the doctor knows about one loop; written by its thread, read by the watchdog."""

    # Slots: the loop's thread writes some of these at every turn of the loop.
    __slots__ = (
        "__weakref__",
        "_marker",
        "attached",
        "batch_at",
        "beats",
        "busy_estimate",
        "doctor",
        "driver_depth",
        "driver_id",
        "driver_key",
        "due",
        "handle",
        "idle_total",
        "interval",
        "lag_buckets",
        "lag_sum",
        "last_beat",
        "long_batch",
        "loop_ref",
        "marked",
        "name",
        "native_id",
        "number",
        "pending_next",
        "rec",
        "run_since",
        "run_total",
        "running",
        "sched_path",
        "select_at",
        "site",
        "steps",
        "stopped_at",
        "tasks_by_coroutine",
        "tasks_pending",
        "thread_id",
        "waits",
        "watch",
    )

    def __init__(self, doctor: Doctor, loop: asyncio.AbstractEventLoop) -> None:
        self.doctor = doctor
        self.loop_ref: weakref.ref[asyncio.AbstractEventLoop] = weakref.ref(loop)
        self.name = _loop_name(loop)
        self.interval = doctor.options.beat()
        self.thread_id = 0
        self.running = False
        self.stopped_at = 0.0
        self.driver_id = 0
        self.driver_depth = 0
        self.driver_key: tuple[str, str] = ("", "")
        self.last_beat = 0.0
        self.due = 0.0
        self.beats = 0
        self.handle: asyncio.TimerHandle | None = None
        self.attached = False
        self.sched_path: str | None = None
        # Batch marks (asyncio's loops; see mark_batches): written in the loop's thread.
        self.marked = False
        self.batch_at = 0.0  # when the current batch of callbacks began
        self.select_at = 0.0  # when the loop last went into its selector (idle if > batch_at)
        # the last batch long enough to hold a blocking step: (began, ended); a batch is
        # known by when it began
        self.long_batch: tuple[float, float] = (0.0, 0.0)
        self._marker: tuple[weakref.ref[Any], Any] | None = None
        self.pending_next = 0.0  # when to count the loop's pending tasks again
        self.site: Frame | None = None  # the user's line that runs the loop
        # Loop health (see _metrics): written in the loop's thread, read by exporters.
        self.native_id = 0
        self.number = 0  # the order in which the doctor saw it (1: the first loop)
        self.run_since = 0.0  # when the current run began (0.0: not running)
        self.run_total = 0.0  # seconds the loop ran in earlier runs
        # seconds the selector spent waiting with a timeout other than 0 (Node's "idle"),
        # on loops whose turns are marked (asyncio's)
        self.idle_total = 0.0
        # on the others (uvloop): the heartbeat's lateness summed up, a lower bound of
        # the time the loop was busy (see _metrics.loop_health)
        self.busy_estimate = 0.0
        # and the thread's waits for a CPU, taken out of that lateness (Linux; see _RunqueueWait)
        self.waits: _RunqueueWait | None = None
        self.tasks_pending: int | None = None  # at the last count (sampled at heartbeats)
        # the same count by coroutine name: the top 20, then "other" (see _taskstats)
        self.tasks_by_coroutine: tuple[tuple[str, int], ...] | None = None
        self.lag_buckets = [0] * (len(LAG_BUCKETS) + 1)  # the last one: above every bound
        self.lag_sum = 0.0
        # callbacks the loop ran (task steps among them), counted at its selector; None
        # where its turns are not marked (uvloop): unknown there, never 0
        self.steps: int | None = None
        # Owned by the watchdog (under its lock).
        self.watch: Any = None
        # The timeline's recording of this loop (see _recorder), when the timeline is on.
        self.rec: LoopRecording | None = None

    # -- in the loop's thread -------------------------------------------------

    def started(self, loop: asyncio.AbstractEventLoop, driver: FrameType | None) -> None:
        """The loop is about to run in the current thread."""
        if self.running:
            return
        if self.doctor.recorder is not None:  # the timeline (see _recorder)
            self.rec = self.doctor.recorder.loop_started(self)
        if self._marker is None and not self.marked:
            self.marked = self.mark_batches(loop)
            self.interval = self.doctor.options.beat(marked=self.marked)
        self.thread_id = threading.get_ident()
        self.native_id = threading.get_native_id()
        self.sched_path = _schedstat_path()
        if not self.marked and self.waits is None:
            self.waits = _runqueue_wait(self.sched_path)
        self.site = _user_site(driver)
        if driver is not None:
            self.driver_id = id(driver)
            self.driver_key = (driver.f_code.co_filename, driver.f_code.co_name)
            depth = 0
            frame: FrameType | None = driver
            while frame is not None:
                depth += 1
                frame = frame.f_back
            self.driver_depth = depth
        else:
            self.driver_id = 0
            self.driver_depth = 0
            self.driver_key = ("", "")
        now = _monotonic()
        self.last_beat = now
        self.due = now + self.interval
        self.batch_at = now
        self.run_since = now
        self.running = True
        beating = self.doctor.options.wants("blocking-call") or self.rec is not None
        if beating and not self.doctor.closing:
            self.handle = loop.call_later(self.interval, self.beat)
        self.doctor.watchdog_wake()

    def mark_batches(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Have the loop's selector note when each batch of callbacks begins and ends.

        asyncio's ``BaseEventLoop._run_once`` calls ``self._selector.select(timeout)``,
        then runs the callbacks that are ready: everything the loop runs between two
        selects is one batch.  We put a ``select`` on the selector *instance* (the
        class, shared with other users of :mod:`selectors`, is left alone) that notes
        the time on its way in and out: two clock reads per loop iteration.  A step
        that blocks then began no earlier than its batch, and ended no later than the
        next select, whatever the heartbeat interval.  Verified on CPython
        3.11-3.15 (selector and proactor loops share ``_run_once``); any other loop
        (uvloop runs libuv's loop in C) keeps the heartbeat alone.
        """
        if not isinstance(loop, asyncio.BaseEventLoop):
            return False
        selector = getattr(loop, "_selector", None)
        original = getattr(selector, "select", None)
        namespace = getattr(selector, "__dict__", None)
        if original is None or not isinstance(namespace, dict) or "select" in namespace:
            return False
        state = self
        monotonic = _monotonic
        long_after = self.doctor.options.threshold / 4
        rec = self.rec  # the timeline (see _recorder): None unless it is on
        ready: Any = getattr(loop, "_ready", None)
        timers: Any = getattr(loop, "_scheduled", None)
        resolution: Any = getattr(loop, "_clock_resolution", None)
        counting = (
            isinstance(ready, collections.deque)
            and isinstance(timers, list)
            and isinstance(resolution, float)
        )
        if counting:
            state.steps = 0
        else:
            # verified on CPython 3.11-3.15; said in the report rather than counted wrong
            self.doctor.unavailable(
                "steps per second",
                f"{type(loop).__name__} has no _ready deque, _scheduled list and _clock_resolution",
            )

        def select(timeout: float | None = None) -> Any:
            now = monotonic()
            if now - state.batch_at > long_after:
                # the exact bounds of a batch long enough to hold a blocking step
                state.long_batch = (state.batch_at, now)
            state.select_at = now  # later than batch_at: the loop is in its selector
            events: Any = ()
            try:
                events = original(timeout)
                return events
            finally:
                state.batch_at = after = monotonic()
                if timeout is None or timeout > 0:
                    # waiting for I/O or a timer: idle, as Node's event-loop utilization counts it
                    state.idle_total += after - now
                    if rec is not None and after - now > _MERGE_GAP:  # a busy stretch ended
                        rec.busy_until(now, after, state.idle_total)
                if counting:
                    # the batch about to run: what was ready, what the events wake, the due timers
                    steps = len(ready) + len(events)
                    if timers and timers[0]._when < after + resolution:
                        steps += _due(timers, after + resolution)
                    state.steps += steps  # type: ignore[operator]

        select.__doc__ = getattr(original, "__doc__", None)
        try:
            selector.select = select  # type: ignore[union-attr]
            self._marker = (weakref.ref(selector), select)
        except (AttributeError, TypeError):
            return False
        return True

    def unmark(self) -> None:
        """Take our ``select`` off the loop's selector (any thread)."""
        marker, self._marker = self._marker, None
        if marker is None:
            return
        selector = marker[0]()
        if selector is not None and vars(selector).get("select") is marker[1]:
            with contextlib.suppress(AttributeError):
                del selector.select

    def stopped(self) -> None:
        """The loop stopped running (still in its thread)."""
        if not self.running:
            return
        self.running = False
        self.stopped_at = _monotonic()
        if self.run_since:
            self.run_total += self.stopped_at - self.run_since
            self.run_since = 0.0
        handle, self.handle = self.handle, None
        if handle is not None:
            handle.cancel()
        self.waits = None
        if self.rec is not None:  # the timeline (see _recorder)
            self.rec.stopped(self)
        # Settle now: the loop (and this state, weakly keyed by it) may be
        # garbage-collected before the watchdog's next look.
        self.doctor.loop_stopped(self)

    def beat(self) -> None:
        """The heartbeat: note the time and the lag, then re-arm."""
        now = _monotonic()
        lag = now - self.due
        self.doctor.record_lag(lag)
        waited = 0.0
        waits = self.waits
        if waits is not None:
            try:
                waited = waits.since_last()
            except (OSError, ValueError, IndexError):
                self.waits = None
        if lag > 0:
            self.lag_sum += lag
            if not self.marked and lag > _BUSY_LAG:
                # late because the thread waited for a CPU is not busy (a loaded machine)
                self.busy_estimate += max(0.0, lag - waited)
        self.lag_buckets[bisect_left(LAG_BUCKETS, lag)] += 1
        self.last_beat = now
        self.due = now + self.interval
        self.beats += 1
        loop = self.loop_ref()
        if self.rec is not None and loop is not None:  # the timeline (see _recorder)
            self.rec.beat(self, loop, now, lag)
        if now >= self.pending_next and loop is not None:
            self.pending_next, pending = self.doctor.tasks.sample_pending(loop, now, self)
            if pending is not None:
                self.tasks_pending = pending
        if loop is None or not self.running or self.doctor.closing:
            self.handle = None
            return
        try:
            self.handle = loop.call_later(self.interval, self.beat)
        except RuntimeError:  # the loop is closing
            self.handle = None


class LoopWatcher:
    """Discovers loops through the hooks described in the module docstring."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        self.lock = threading.Lock()
        self.states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopState] = (
            weakref.WeakKeyDictionary()
        )
        self.seen = 0
        # thread id -> the loop the asyncgen-hook fallback saw start there
        self._hooked: dict[int, weakref.ref[asyncio.AbstractEventLoop]] = {}
        self._orphans: list[LoopState] = []
        #: The last loops that were garbage-collected, for their figures (see _metrics).
        self.finished: collections.deque[LoopState] = collections.deque(maxlen=16)
        self._generation = 0  # one more in each forked child: older loops are the parent's

    def after_fork(self) -> None:
        """In a forked child: forget the parent's loops (none of them runs here) and their figures."""
        self.lock = threading.Lock()
        for state in list(self.states.values()):
            state.running = False
            state.handle = None
            state.watch = None
        self.states = weakref.WeakKeyDictionary()
        self._generation += 1
        self._hooked.clear()
        self._orphans = []
        self.finished.clear()
        self.seen = 0

    def snapshot(self) -> list[LoopState]:
        with self.lock:
            return list(self.states.values())

    def take_orphans(self) -> list[LoopState]:
        """The states of loops collected since the last call (their runs still to settle)."""
        with self.lock:
            orphans, self._orphans = self._orphans, []
        return orphans

    def state_of(self, loop: asyncio.AbstractEventLoop) -> LoopState:
        with self.lock:
            state = self.states.get(loop)
            if state is None:
                state = LoopState(self.doctor, loop)
                self.states[loop] = state
                self.seen += 1
                state.number = self.seen
                # The state leaves `states` with its loop; what the watchdog was
                # in the middle of measuring must not leave with it.
                finalizer = weakref.finalize(loop, self._collected, state, self._generation)
                finalizer.atexit = False
        return state

    def _collected(self, state: LoopState, generation: int = 0) -> None:
        # Any thread, at any point (the garbage collector): only note it.
        if generation != self._generation:
            return  # a loop of the process this one was forked from
        if state.running:
            state.running = False
            state.stopped_at = _monotonic()
            if state.run_since:
                state.run_total += state.stopped_at - state.run_since
                state.run_since = 0.0
        state.handle = None
        with self.lock:
            self._orphans.append(state)
            self.finished.append(state)

    def loop_started(self, loop: asyncio.AbstractEventLoop, driver: FrameType | None) -> None:
        state = self.state_of(loop)
        if state.running:
            return
        if not state.attached:
            state.attached = True
            self.doctor.attach_loop(loop)
        state.started(loop, driver)

    def loop_stopped(self, loop: asyncio.AbstractEventLoop | None) -> None:
        if loop is None:
            return
        with self.lock:
            state = self.states.get(loop)
        if state is not None:
            state.stopped()

    # -- the hooks --------------------------------------------------------------

    def install(self) -> None:
        doctor = self.doctor
        patches = doctor.patches
        events = asyncio.events
        original = events._set_running_loop
        watcher = self

        def _set_running_loop(loop: asyncio.AbstractEventLoop | None) -> None:
            previous = events._get_running_loop() if loop is None else None
            original(loop)
            if not doctor.installed:
                # uvloop keeps the function it found at its import: after uninstall() this
                # wrapper may still be called, and must then do nothing but its job
                return
            try:
                if loop is not None:
                    watcher.loop_started(loop, _driver_frame(sys._getframe(1)))
                else:
                    watcher.loop_stopped(previous)
            except Exception as exc:
                doctor.internal_error("loop discovery", exc)

        _set_running_loop.__doc__ = original.__doc__
        patches.set(events, "_set_running_loop", _set_running_loop)
        if getattr(asyncio, "_set_running_loop", None) is original:
            patches.set(asyncio, "_set_running_loop", _set_running_loop)

        original_hooks = sys.set_asyncgen_hooks

        def set_asyncgen_hooks(*args: Any, **kwargs: Any) -> None:
            original_hooks(*args, **kwargs)
            if not doctor.installed:  # a reference kept past uninstall() (as above)
                return
            try:
                watcher._asyncgen_hooks_set(
                    kwargs.get("firstiter", args[0] if args else None), sys._getframe(1)
                )
            except Exception as exc:
                doctor.internal_error("loop discovery", exc)

        set_asyncgen_hooks.__doc__ = original_hooks.__doc__
        patches.set(sys, "set_asyncgen_hooks", set_asyncgen_hooks)

    def _asyncgen_hooks_set(self, firstiter: object, caller: FrameType | None) -> None:
        tid = threading.get_ident()
        loop = getattr(firstiter, "__self__", None)
        if isinstance(loop, asyncio.AbstractEventLoop):
            self._hooked[tid] = weakref.ref(loop)
            self.loop_started(loop, caller)
            return
        ref = self._hooked.pop(tid, None)
        previous = ref() if ref is not None else None
        if previous is not None:
            self.loop_stopped(previous)

    def detach_all(self) -> None:
        for state in self.snapshot():
            state.unmark()
            loop = state.loop_ref()
            state.running = False
            state.waits = None
            handle, state.handle = state.handle, None
            if loop is None or handle is None or loop.is_closed():
                continue
            try:
                if state.thread_id == threading.get_ident():
                    handle.cancel()
                else:
                    loop.call_soon_threadsafe(handle.cancel)
            except RuntimeError:
                continue


def _due(timers: list[Any], end: float) -> int:
    """How many of the loop's timers (a heap, ordered by ``_when``) fall due before ``end``:
    the ones its turn moves to the ready queue.  Walks only the part of the heap they are in."""
    count = 0
    stack = [0]
    size = len(timers)
    while stack:
        i = stack.pop()
        if i < size and timers[i]._when < end:
            count += 1
            stack.append(2 * i + 1)
            stack.append(2 * i + 2)
    return count


def _user_site(frame: FrameType | None) -> Frame | None:
    """The innermost line of the user's code on the stack that runs a loop (this thread's)."""
    while frame is not None:
        if is_user_file(frame.f_code.co_filename):
            return frame_data(frame)
        frame = frame.f_back
    return None


def _driver_frame(caller: FrameType) -> FrameType:
    """The frame that runs the loop and stays alive while it runs.

    On 3.12+ asyncio sets the running loop from ``_run_forever_setup``, which
    returns before the loop runs: its frame is gone (and its id free for reuse
    by a coroutine's frame) while the loop runs, so the driver is its caller.
    """
    if caller.f_code.co_name == "_run_forever_setup" and caller.f_back is not None:
        return caller.f_back
    return caller
