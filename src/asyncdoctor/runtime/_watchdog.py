"""The ``blocking-call`` detector: one watchdog thread for all loops.

Design (numbers measured on CPython 3.11 to 3.15, 2 cores):

* **When is a loop stuck?**  On asyncio's own loops the selector notes when
  each batch of callbacks begins and ends (:meth:`._loops.LoopState.mark_batches`):
  a loop is late when its current batch has run for ``threshold / 4``.  On
  other loops (uvloop) a heartbeat runs every 2 ms by default and the loop is
  late when its heartbeat is that overdue.  While no loop is late the
  watchdog looks only every ``3/4`` of the threshold (each look makes the GIL
  change hands, which a busy loop thread pays for: measured, looking every
  25 ms cost 3 to 5 % on a task-heavy benchmark, every 75 ms under 1 %).
  While a loop is late it samples that loop's thread every
  ``sample_interval`` (2.5 ms by default) with ``sys._current_frames()``, so
  the innermost user frame is the blocking line.
* **A step, not a burst.**  A step is told apart from a burst of many short
  steps (a ``gather`` of thousands of tasks makes a batch long too, without
  any step being slow) by its signature: the identity of the step's outermost
  frame (right inside the loop machinery: the task's coroutine or the
  callback), its code, and the task running it (``asyncio.current_task(loop)``,
  which answers from another thread on every version).  Consecutive samples
  with the same signature in one episode (a batch, or the time between two
  heartbeats) are one run; a run longer than the threshold is a blocking step.
* **Its duration.**  The first step seen in a batch began with the batch (or
  after the heartbeat, if that ran in the batch); a later one midway between
  the sample that saw another step and its own first sample.  It ended with
  its batch (the loop notes the end of every long batch), at the heartbeat it
  held up, or midway to the sample that saw another step.  So a step longer
  than the threshold is always reported and its duration is right to within
  2 ms or 2 %, whatever the heartbeat interval on asyncio's loops; on uvloop,
  to within half the heartbeat interval.  The blamed location is the user
  frame seen for the most time.  With an eager task factory (3.12+) the frame
  that really blocked is blamed: it is the one on the sampled stack.
* **Calls that hold the GIL** (``sorted`` of a big list, a catastrophic regex)
  keep the watchdog from running until the loop thread lets go of the GIL,
  at the interpreter's next check point.  Up to 3.13 that is right after the
  call, so the first sample still shows the calling line, and the whole gap
  is credited to it.  From 3.14 the first run of a call with keyword
  arguments has no check point after it; :mod:`._firstcall` then finds the
  call.  A long batch the watchdog could not look into at all is still
  reported, from the batch marks, at the line that runs the loop (see
  :meth:`Watchdog._check_lost`).  (``faulthandler`` could dump the stack from
  its C thread during such a call, but it reads other threads' frames without
  the GIL, which is not safe while they run, so it is not used.)
* **Which request.**  When the program keeps a correlation ID
  (:mod:`asyncdoctor.context`, asgi-correlation-id), each sample also reads the
  running task's context (:mod:`._context`), while the step runs: the request
  may reset it once the step is over.  Otherwise that costs one ``sys.modules``
  look-up per sample.
* **Free-threaded builds**: with the GIL disabled, other threads' stacks are
  never read (see :meth:`Watchdog._frames`); steps are timed all the same.
* Known limit: when *another* thread holds the GIL in a long C call while
  the loop thread is in the middle of a Python step, the loop is frozen for
  real but the gap is credited to the step it was in.
* On a loaded machine the OS may leave the loop thread waiting for a CPU
  for a long time in a step that is short on an idle machine: the time the
  thread spent runnable but off the CPU (Linux ``schedstat``) is taken out
  of the step's duration before it is compared with the threshold.
* Nothing is reported for steps rooted in asyncdoctor's own code, for a
  loop that is idle in the selector, or once the interpreter is shutting
  down (an ``atexit`` hook stops the watchdog).
"""

from __future__ import annotations

import _thread
import asyncio
import contextlib
import gc
import linecache
import os
import sys
import threading
import time
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any

from ._context import reading, task_context
from ._firstcall import first_run_call, first_run_call_in
from ._frames import (
    ASYNCIO_DIR,
    frame_data,
    is_internal_file,
    is_user_file,
    is_user_frame,
)
from ._loops import runqueue_wait
from ._models import Frame, RuntimeFinding
from ._tasks import coro_of

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._loops import LoopState

__all__ = ["Watchdog"]

_monotonic = time.monotonic
# How long after a step's last sample its episode's end may come and still be taken as
# its end: the watchdog may itself wait that long for a CPU on a loaded machine.
_END_SLACK = 0.05


def _machinery_codes() -> frozenset[CodeType]:
    codes: set[CodeType] = set()
    for owner, name in (
        (asyncio.base_events.BaseEventLoop, "_run_once"),
        (asyncio.base_events.BaseEventLoop, "run_forever"),
        (asyncio.base_events.BaseEventLoop, "run_until_complete"),
        (asyncio.events.Handle, "_run"),
    ):
        code = getattr(getattr(owner, name, None), "__code__", None)
        if isinstance(code, CodeType):
            codes.add(code)
    return frozenset(codes)


_MACHINERY_CODES = _machinery_codes()
# ids, not code objects: hashing a code object hashes its constants each time.
_MACHINERY = frozenset(id(code) for code in _MACHINERY_CODES)
_MACHINERY_KEYS = frozenset((code.co_filename, code.co_name) for code in _MACHINERY_CODES)


def _current_task(loop: asyncio.AbstractEventLoop) -> Any:
    """The task ``loop`` is running now, read from another thread (``None`` between tasks).

    ``asyncio.current_task(loop)`` answers for a loop running in another thread on
    every version: 3.11-3.13 read a dict keyed by loop; 3.14+ look through the
    threads for the one running ``loop``.
    """
    try:
        return asyncio.current_task(loop)
    except Exception:
        return None


def _gil_enabled() -> bool:
    """Whether the GIL is on (always, before 3.13 and on default builds)."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def _coroutine_of(task: Any) -> Frame | None:
    """Where the coroutine of ``task`` is defined, if it is the user's."""
    coro = coro_of(task)
    code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    if isinstance(code, CodeType) and is_user_file(code.co_filename):
        return Frame(code.co_filename, code.co_firstlineno, code.co_name)
    return None


class _Sample:
    """One look at a loop thread: when, which step, where (innermost first)."""

    # Plain classes, not dataclasses: creating a dataclass costs import time.
    __slots__ = ("context", "location", "root_key", "sig", "stack", "t", "task", "unseen")

    def __init__(
        self,
        t: float,
        sig: object,
        location: Frame | None,
        stack: tuple[Frame, ...],
        root_key: tuple[str, str] | None,
        task: str = "",
        *,
        unseen: str = "",
        context: tuple[tuple[str, str], ...] | None = None,
    ) -> None:
        self.t = t
        self.sig = sig
        self.location = location
        self.stack = stack
        self.root_key = root_key
        self.task = task
        # Why `location` is not the line seen running, if it is not: "gil" (it is the
        # task's coroutine) or "blind" (the line that runs the loop; see Watchdog._frames)
        self.unseen = unseen
        # The request context of the task running the step (see _context), if known.
        self.context = context


class _Run:
    """Consecutive samples of one step."""

    __slots__ = (
        "context",
        "episode",
        "last_t",
        "sig",
        "stacks",
        "start",
        "task",
        "unseen",
        "wait_base",
        "wait_last",
        "weights",
    )

    def __init__(
        self, sig: object, start: float, last_t: float, episode: float, task: str = ""
    ) -> None:
        self.sig = sig
        self.start = start
        self.last_t = last_t
        self.episode = episode
        self.weights: dict[Frame, float] = {}
        self.stacks: dict[Frame, tuple[Frame, ...]] = {}
        self.unseen: dict[Frame, str] = {}
        self.task = task
        self.context: tuple[tuple[str, str], ...] | None = None
        # Run-queue wait of the loop thread (see _queued): at the observation
        # before the run, and at its last sample.
        self.wait_base: tuple[float, float] | None = None
        self.wait_last: tuple[float, float] | None = None


class _Watch:
    """The watchdog's per-loop state."""

    __slots__ = (
        "episode",
        "lost_checked",
        "observed",
        "prev_t",
        "run",
        "seen_until",
        "wait",
        "wait_fd",
        "wait_path",
        "wait_seen",
    )

    def __init__(self) -> None:
        self.run: _Run | None = None
        self.observed = -1.0  # the last episode the watchdog looked into
        self.seen_until = -1.0  # and when it last looked into it
        self.lost_checked = 0.0  # the last long batch checked by _check_lost
        self.prev_t: float | None = None  # last observation in the current late episode
        self.episode: float = -1.0
        self.wait: tuple[float, float] | None = None  # (when, run-queue wait so far)
        self.wait_seen: tuple[float, float] | None = None  # the reading before that
        self.wait_fd = -1
        self.wait_path: str | None = None


class _Mark:
    """What the watchdog reads of a loop's state, all at one moment (see ``Watchdog._tick``).

    An *episode* is what a late step belongs to: on a loop with batch marks, the
    batch (between two selects); otherwise the time between two heartbeats.
    ``start_bound`` is the earliest a step seen now can have begun, ``end_bound``
    the latest a step of an earlier episode can have ended.
    """

    __slots__ = (
        "end_bound",
        "episode",
        "idle",
        "interval",
        "last_beat",
        "late_since",
        "long_batch",
        "marked",
        "running",
        "start_bound",
        "state",
        "stopped_at",
    )

    def __init__(self, state: LoopState) -> None:
        self.state = state
        self.running = state.running
        self.last_beat = state.last_beat
        self.stopped_at = state.stopped_at
        self.interval = state.interval
        self.marked = marked = state.marked
        self.long_batch = state.long_batch
        if marked:
            batch_at = state.batch_at
            self.episode = batch_at  # a batch is known by when it began
            self.end_bound = state.select_at
            self.idle = self.end_bound > batch_at  # it went into its selector since
            self.late_since = batch_at
            self.start_bound = max(batch_at, self.last_beat)
        else:
            self.episode = state.beats
            self.end_bound = self.last_beat
            self.idle = False
            self.late_since = state.due
            self.start_bound = self.last_beat


def _new_wake_lock() -> _thread.LockType:
    """The watchdog's wake-up: taken (not set) to begin with."""
    lock = _thread.allocate_lock()
    lock.acquire()
    return lock


_Later = tuple["LoopState", _Watch, _Mark | None, tuple[float, float]]
"""A loop whose CPU wait to read after a tick, or (with a mark) a lost batch to check,
and the last episode the watchdog had looked into before the tick, with when it looked."""


def _marks(states: list[LoopState]) -> list[_Mark]:
    return [_Mark(state) for state in states]


def _by_line(weights: dict[Frame, float]) -> dict[Frame, float]:
    """Merge the places on one line (a comprehension and the generator inside it, say).

    Samples of one line may name different functions: ``[n for n in r if
    all(... for d in ...)]`` runs in ``<listcomp>`` and in ``<genexpr>`` by
    turns.  They are one place: the frame seen longest stands for the line.
    """
    lines: dict[tuple[str, int], tuple[Frame, float, float]] = {}
    for frame, weight in weights.items():
        key = (frame.path, frame.line)
        best, best_weight, total = lines.get(key, (frame, weight, 0.0))
        if weight > best_weight:
            best, best_weight = frame, weight
        lines[key] = (best, best_weight, total + weight)
    return {best: total for best, _, total in lines.values()}


def _queued_share(run: _Run, wall: float) -> float:
    """The part of a run of ``wall`` seconds the loop thread spent waiting for a CPU.

    On a loaded machine the OS can leave the loop thread runnable but off
    the CPU for a long time; that is not the program's doing, so it is taken
    out of the step's duration (Linux ``/proc/self/task/<tid>/schedstat``,
    read with each sample: about 8 us), measured between the run's first and
    last samples.  That wait is taken out as measured; it is extrapolated to
    the whole run only when the samples span at least half of it (a few
    samples close together, all taken while the thread waited, say little
    about the rest: the step would be taken for nothing).  Elsewhere the
    share is 0.
    """
    if run.wait_base is None or run.wait_last is None or wall <= 0:
        return 0.0
    span = run.wait_last[0] - run.wait_base[0]
    if span <= 0:
        return 0.0
    waited = min(max(run.wait_last[1] - run.wait_base[1], 0.0), span)
    if span >= wall / 2:
        waited *= wall / span
    return min(waited / wall, 1.0)


class Watchdog:
    """Samples stuck loops and turns long steps into ``blocking-call`` findings."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        options = doctor.options
        self.threshold = options.threshold
        self.sample = options.sample
        self.limit = options.stack_limit
        self.starve_limit = max(3 * self.sample, 0.02)
        # Sampling starts once a heartbeat is this late: a step must last the
        # threshold to count, and its start is estimated from the last
        # heartbeat, not from the first sample, so nothing is lost by not
        # sampling the first quarter; a loop kept slightly late by a burst of
        # short tasks is then hardly ever sampled (measured: sampling from
        # 5 ms late cost about 8 % on a task-heavy benchmark).
        self.sample_after = max(self.threshold / 4, self.sample)
        # While every loop keeps its heartbeat the watchdog looks only every
        # 3/4 of the threshold: a step long enough to count is still sampled
        # during its last quarter at least (5 samples at the default rates),
        # its start comes from the heartbeat, not from the first sample, and
        # each wake-up of this thread costs the loop thread dearly when it is
        # busy (the GIL changes hands: measured, waking every 25 ms cost 3 to
        # 5 % on a task-heavy benchmark, every 75 ms under 1 %).
        self.healthy_wait = 0.75 * self.threshold
        self.lock = threading.RLock()
        self.wake_lock = _new_wake_lock()
        self.stopping = False
        self.thread_started = False
        self.thread_ident = 0
        self.requested: float | None = None
        self.slowest: list[tuple[float, str]] = []

    # -- life cycle ---------------------------------------------------------

    def ensure_thread(self) -> None:
        with self.lock:
            if self.thread_started or self.stopping:
                return
            self.thread_started = True
            # when it was asked to run: if it gets the GIL only much later, the loop
            # held it all along (a step that holds the GIL right after the loop starts)
            self.requested = _monotonic()
        _thread.start_new_thread(self._main, ())

    def wake(self) -> None:
        # A binary semaphore: released (set) at most once until the watchdog takes it.
        with contextlib.suppress(RuntimeError):  # already set
            self.wake_lock.release()

    def stop(self) -> None:
        self.stopping = True
        self.wake()

    def _sleep(self, seconds: float) -> bool:
        """Sleep ``seconds`` or until woken (then True).  A raw lock, not a
        ``threading.Event``: no Python code (and so no allocation that could start a
        garbage collection) runs between getting the GIL back and the next look."""
        return self.wake_lock.acquire(True, seconds)

    def after_fork(self) -> None:
        self.thread_started = False
        self.lock = threading.RLock()
        self.wake_lock = _new_wake_lock()

    # -- the watchdog thread ----------------------------------------------------

    def _main(self) -> None:
        self.thread_ident = threading.get_ident()
        intended: float | None = self.requested
        try:
            while not self.stopping and not self.doctor.closing:
                # First thing once awake (with the GIL back), before any work that may
                # give it away: on a busy machine the loop thread may take it again and
                # run on before we look.  And no garbage collection until the samples
                # are taken: the frames are live, and a collection triggered by the
                # look's own allocations (a full one takes tens of ms on a big heap) may
                # outlast the switch interval; the GIL would then go back to the loop
                # thread at the next check point, its frames would move on, and a call
                # that held the GIL would be blamed on a later line.  The pause is not
                # seen by other threads: this one holds the GIL until it ends, once every
                # late loop is sampled (nothing in taking the samples gives the GIL away;
                # before waiting for the lock, collections are re-enabled).
                paused = _gil_enabled() and gc.isenabled()
                if paused:
                    gc.disable()
                later: list[_Later] = []
                try:
                    frames = self._frames()
                    now = _monotonic()
                    marks = _marks(self.doctor.loops.snapshot())
                    starved = intended is not None and now - intended > self.starve_limit
                    if not self.lock.acquire(blocking=False):
                        # Never hold other threads' frames (and so their locals: a loop
                        # that should be collected) while waiting: look again once in.
                        del frames
                        if paused:
                            gc.enable()
                        self.lock.acquire()
                        if paused:
                            paused = gc.isenabled()
                            if paused:
                                gc.disable()
                        frames = self._frames()
                        now = _monotonic()
                        marks = _marks(self.doctor.loops.snapshot())
                    try:
                        try:
                            samples = self._take_samples(now, starved, frames, marks)
                        finally:
                            del frames
                            if paused:
                                paused = False
                                gc.enable()
                        next_wake = self._tick(now, starved, samples, marks, later)
                    finally:
                        try:
                            self._after_tick(later)
                        finally:
                            self.lock.release()
                    del marks, samples
                finally:
                    if paused:
                        gc.enable()
                if self.stopping or self.doctor.closing:
                    break
                if next_wake is not None and _monotonic() - now > self.starve_limit:
                    # The tick gave the GIL away (reading schedstat, a source
                    # line) and only got it back much later: a loop thread
                    # holding the GIL in another step meanwhile is seen only
                    # now that it lets go, so look again at once.
                    intended = now
                    continue
                if next_wake is None:
                    intended = None
                    self._sleep(1.0)
                    continue
                now = _monotonic()
                delay = max(next_wake - now, 0.0005)
                intended = now + delay
                if self._sleep(delay):
                    intended = None
        except Exception as exc:
            self.doctor.internal_error("watchdog", exc)

    def _take_samples(
        self,
        now: float,
        starved: bool,
        frames: dict[int, FrameType] | None,
        marks: list[_Mark],
    ) -> list[_Sample | None]:
        """A sample of each loop that is late enough to look into (``None`` for the
        others, and for a loop whose thread is gone), all taken before anything else.

        Nothing here gives the GIL away or reads a file: the frames are live, and once
        the loop thread runs again they show where it is then (see _main).
        """
        samples: list[_Sample | None] = []
        for mark in marks:
            sample = None
            if mark.running and not mark.idle and now - mark.late_since > self.sample_after:
                state = mark.state
                if frames is None:
                    sample = self._blind(state, mark, now)
                else:
                    top = frames.get(state.thread_id)
                    watch = state.watch
                    if top is not None:
                        previous = None
                        if watch is not None and mark.episode == watch.episode:
                            previous = watch.run.last_t if watch.run is not None else watch.prev_t
                        gap = starved or (
                            previous is not None and now - previous > self.starve_limit
                        )
                        sample = self._analyse(state, top, now, starved=gap)
            samples.append(sample)
        return samples

    def _tick(
        self,
        now: float,
        starved: bool,
        samples: list[_Sample | None],
        marks: list[_Mark],
        later: list[_Later],
    ) -> float | None:
        """Look at every loop as it was when ``frames`` and ``marks`` were taken.

        Everything about a loop is read from ``marks``, taken together with the
        frames: the tick may give the GIL away (settling a collected loop reads
        source lines, a sample reads ``schedstat``), and the loop thread may
        then finish its step and beat, which must not make the step that the
        frames show look as if it had just begun.
        """
        for orphan in self.doctor.loops.take_orphans():
            self.settle(orphan)
        next_wake: float | None = None
        # Reading schedstat gives the GIL away: the loop thread would run on, and a frame
        # read after that would show where it is then, not where it was (on 3.11 a
        # GIL-holding call would be blamed on the line after it).  So every reading that
        # is not part of a sample waits, in ``later``, until every late loop has been
        # sampled (see _after_tick).
        for mark, sample in zip(marks, samples, strict=True):
            state = mark.state
            watch = state.watch
            if watch is None:
                watch = state.watch = _Watch()
            if not mark.running:
                if watch.run is not None:
                    self._close(state, watch, min(watch.run.last_t + self.sample, mark.stopped_at))
                watch.prev_t = None
                continue
            lost: _Mark | None = None
            if mark.episode != watch.episode or mark.idle:
                # The loop got back to its selector or to its heartbeat: any late episode
                # is over, and so is the step it was in.
                if watch.run is not None:
                    self._close(state, watch, self._end_of(watch.run, mark))
                watch.episode = mark.episode
                watch.prev_t = None
                lost = mark
            late = 0.0 if mark.idle else now - mark.late_since
            if late <= self.sample_after:
                wake_at = max(mark.late_since + self.sample_after, now + self.healthy_wait)
                if lost is not None or (mark.marked and mark.idle and watch.run is None):
                    # A lost batch to check, or what the loop thread has waited for a CPU
                    # so far, to check the next one: read only while the loop waits for
                    # I/O.  Reading gives the GIL away, and taking it back after a blocking
                    # read, while the loop thread holds it in a call (3.14+, a first-run
                    # keyword call), can leave the watchdog waiting until the step is over.
                    later.append((state, watch, lost, (watch.observed, watch.seen_until)))
            else:
                observed = (watch.observed, watch.seen_until)  # (before this look)
                self._observe(mark, watch, now, sample, starved)
                wake_at = now + self.sample
                if lost is not None:
                    later.append((state, watch, lost, observed))
            next_wake = wake_at if next_wake is None else min(next_wake, wake_at)
        return next_wake

    def _after_tick(self, later: list[_Later]) -> None:
        """The readings and checks a tick left for after its samples (see _tick)."""
        for state, watch, lost, observed in later:
            if lost is None:
                self._read_wait(state, watch, _monotonic())
            else:
                self._check_lost(state, watch, lost, observed)

    def _check_lost(
        self, state: LoopState, watch: _Watch, mark: _Mark, observed: tuple[float, float]
    ) -> None:
        """Report a long batch, or its end, that the watchdog could not look at.

        The watchdog looks at a loop at least every 3/4 of the threshold; a batch
        longer than the threshold that it never saw kept it from running the whole
        time: a step that held the GIL (the OS does not keep a thread that just woke
        off the CPU that long).  Likewise for the end of a batch after the watchdog's
        last look into it (``observed``: that batch and the time of the look), longer
        than the threshold: it was sampling the batch every few ms, so another step
        held the GIL until the batch was over (3.14+ may hand the GIL over only at a
        later check point, here after the batch).  The exact duration is known from the
        batch marks; where it blocked is not, so it is reported at the line that runs
        the loop.
        """
        if not mark.marked or not self.doctor.options.wants("blocking-call"):
            return
        began, ended = mark.long_batch
        if began <= watch.lost_checked:
            return
        watch.lost_checked = began
        if began == observed[0]:
            # the steps it saw were measured up to one sampling interval past its look
            began = observed[1] + self.sample
        duration = ended - began
        # On a loaded machine the batch may have been long because the loop thread
        # waited for a CPU: leave out the share of its time it waited between the
        # watchdog's last reading before the batch and one now (Linux), as for the
        # steps it sees.  The readings may span more than the batch (the one before
        # can be old), so it is the share that is taken out, not the whole wait.
        if state.running and (watch.wait is None or watch.wait[0] < ended):
            self._read_wait(state, watch, _monotonic())
        before, after = watch.wait_seen, watch.wait
        if before is not None and after is not None and before[0] <= began <= after[0]:
            span = after[0] - before[0]
            if span > 0:
                duration *= 1.0 - min(max((after[1] - before[1]) / span, 0.0), 1.0)
        site = state.site
        if duration < self.threshold or site is None or self.doctor.closing:
            return
        self._note_slow(site, duration)
        if self.doctor.recorder is not None:  # the timeline (see _recorder)
            self.doctor.recorder.step(state, began, duration, site, (site,), None, "lost")
        self.doctor.record(
            RuntimeFinding(
                kind="blocking-call",
                message=(
                    f"event loop blocked for {duration * 1000:.0f} ms (the blocking line was "
                    "not seen: the watchdog could not run until the step was over)"
                ),
                location=site,
                stack=(site,),
                duration=duration,
                extra=(("max_ms", f"{duration * 1000:.1f}"), ("loop", state.name)),
            )
        )

    def _end_of(self, run: _Run, mark: _Mark) -> float:
        """When the step of ``run`` ended, now that its episode is over.

        On a loop with batch marks the loop notes the exact end of every long batch:
        the step ended then, or (if other callbacks followed it in the batch, which
        the watchdog would have seen had they taken long) a little before.  Without
        marks, the heartbeat that the step held up ran right after it.  Either bound
        holds even when the watchdog itself was kept off the CPU for a while; failing
        both, the step ended within one sampling interval of its last sample.
        """
        bound: float | None = None
        if mark.marked:
            began, ended = mark.long_batch
            if began == run.episode:
                bound = ended
            elif mark.idle and mark.episode == run.episode:
                bound = mark.end_bound
        elif mark.episode == run.episode + 1:
            bound = mark.end_bound
        if bound is not None and run.last_t <= bound <= run.last_t + _END_SLACK:
            return bound
        return run.last_t + self.sample

    def _frames(self) -> dict[int, FrameType] | None:
        """Every thread's current frame, or ``None`` where reading them is not safe.

        With the GIL disabled (free-threaded builds, 3.13t+), reading a running
        thread's frames from another thread is not safe (CPython issues 118680 and
        131479): the stacks are then never read.  Blocking steps are still found and
        timed from the loops' own marks, at the line that runs the loop.  The GIL
        can come back at run time (an extension that needs it), hence the check
        at each look.
        """
        if _gil_enabled():
            return sys._current_frames()
        self.doctor.unavailable(
            "the blocking line",
            "with the GIL disabled, reading another thread's stack is not safe, so "
            "blocking steps are timed and reported at the line that runs the loop",
        )
        return None

    def _observe(
        self,
        mark: _Mark,
        watch: _Watch,
        now: float,
        sample: _Sample | None,
        starved: bool,
    ) -> None:
        state = mark.state
        if sample is None:  # the thread is gone (see _take_samples)
            state.running = False
            state.stopped_at = now
            return
        watch.observed, watch.seen_until = mark.episode, now
        self._read_wait(state, watch, now)
        self._add(state, watch, sample, mark, starved=starved)

    def _read_wait(self, state: LoopState, watch: _Watch, now: float) -> None:
        """Note how long the loop thread has waited for a CPU (Linux ``schedstat``)."""
        path = state.sched_path
        if path != watch.wait_path:
            self._close_wait(watch)
            if path is None:
                return
            try:
                watch.wait_fd = os.open(path, os.O_RDONLY)
            except OSError:
                state.sched_path = None
                return
            watch.wait_path = path
        try:
            waited = runqueue_wait(watch.wait_fd)
        except (OSError, ValueError, IndexError):
            state.sched_path = None
            self._close_wait(watch)
            return
        watch.wait_seen, watch.wait = watch.wait, (now, waited)

    @staticmethod
    def _close_wait(watch: _Watch) -> None:
        if watch.wait_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(watch.wait_fd)
        watch.wait_fd = -1
        watch.wait_path = None
        watch.wait = watch.wait_seen = None

    def _blind(self, state: LoopState, mark: _Mark, now: float) -> _Sample:
        """A look at a late loop without reading its thread's stack (see :meth:`_frames`).

        What tells one step from the next is then the task running (read with
        ``asyncio.current_task(loop)``, which is safe from another thread) and the
        episode: a task runs at most one step per batch of asyncio's loop.
        """
        loop = state.loop_ref()
        task = _current_task(loop) if loop is not None else None
        name = ""
        if task is not None:
            try:
                name = str(task.get_name())
            except Exception:
                name = ""
        if reading():
            self.doctor.unavailable(
                "the request context of blocking steps",
                "with the GIL disabled, another thread's task context is not read",
            )
        site = state.site
        stack = (site,) if site is not None else ()
        sig = ("blind", mark.episode, id(task), name)
        return _Sample(now, sig, site, stack, None, name, unseen="blind")

    def _analyse(
        self, state: LoopState, top: FrameType, now: float, *, starved: bool = False
    ) -> _Sample:
        chain: list[FrameType] = []
        frame: FrameType | None = top
        driver_at = -1
        while frame is not None:
            if (
                driver_at < 0
                and id(frame) == state.driver_id
                and (frame.f_code.co_filename, frame.f_code.co_name) == state.driver_key
            ):
                driver_at = len(chain)
            chain.append(frame)
            frame = frame.f_back
        if driver_at >= 0:
            step = chain[:driver_at]
        else:
            step = chain
            for index, f in enumerate(chain):
                if id(f.f_code) in _MACHINERY:
                    step = chain[:index]
                    break
        while step and id(step[-1].f_code) in _MACHINERY:
            step.pop()
        stack = tuple(
            frame_data(f)
            for f in reversed(chain[: self.limit])
            if not is_internal_file(f.f_code.co_filename)
        )
        if not step:
            return _Sample(now, None, None, stack, None)
        root = step[-1]
        root_code = root.f_code
        if is_internal_file(root_code.co_filename):
            return _Sample(now, None, None, stack, None)
        task_key: object = None
        task_name = ""
        context = None
        loop = state.loop_ref()
        task = _current_task(loop) if loop is not None else None
        if task is not None:
            try:
                task_name = str(task.get_name())
            except Exception:
                task_name = ""
            task_key = (id(task), task_name)
            # Read now, while the step runs: the request may reset it once the step is over.
            context = task_context(task, self.doctor)
        location = None
        for f in step:
            if is_user_frame(f):
                location = frame_data(f)
                if starved:
                    # The GIL was held: the call that held it may lie before this line.
                    location = first_run_call(f) or location
                break
        if location is None:
            for f in step:
                filename = f.f_code.co_filename
                if (
                    not filename.startswith(ASYNCIO_DIR)
                    and not is_internal_file(filename)
                    and ("site-packages" in filename or "dist-packages" in filename)
                ):
                    location = frame_data(f)
                    break
        unseen = ""
        if location is None and task is not None:
            # Only asyncio's own code on the step, on behalf of a task: its coroutine
            # ran a call that held the GIL, and the watchdog got the GIL back only as
            # the step was ending (CPython 3.14+ does not hand the GIL over right after
            # a call made with keyword arguments, the first time it runs; see
            # _firstcall): that call, if it can be told, else the coroutine.
            code = getattr(coro_of(task), "cr_code", None)
            found = first_run_call_in(code) if isinstance(code, CodeType) else None
            if found is not None:
                location = found
            else:
                location = _coroutine_of(task)
                unseen = "gil" if location is not None else ""
        sig = (id(root), root_code, task_key)
        return _Sample(
            now,
            sig,
            location,
            stack,
            (root_code.co_filename, root_code.co_name),
            task_name,
            unseen=unseen,
            context=context,
        )

    def _add(
        self,
        state: LoopState,
        watch: _Watch,
        sample: _Sample,
        mark: _Mark,
        *,
        starved: bool = False,
    ) -> None:
        """Add ``sample`` to the current run, or close that run and open a new one.

        A step that changed between two observations changed at their
        midpoint, as far as we know; but when the watchdog was *starved*
        (it could not look for longer than ``starve_limit``: the GIL was
        held), the step that held the GIL is the one it sees when it gets
        the GIL back, so the whole gap belongs to the new step (three 250 ms
        ``sum(range(...))`` in one ``gather`` were otherwise measured as
        about 360, 130 and 250 ms).
        """
        run = watch.run
        previous = run.last_t if run is not None else watch.prev_t
        if previous is not None and sample.t - previous > self.starve_limit:
            # While a loop is late it is looked at every `sample`: a longer gap
            # means the watchdog could not look (the GIL was held).
            starved = True
        if run is not None and run.sig == sample.sig and sample.sig is not None:
            weight = sample.t - run.last_t
            run.last_t = sample.t
        else:
            if run is not None:
                self._close(state, watch, run.last_t if starved else (run.last_t + sample.t) / 2)
            if sample.sig is None:
                watch.prev_t = sample.t
                return
            if watch.prev_t is not None:
                start = watch.prev_t if starved else (watch.prev_t + sample.t) / 2
            elif mark.marked:
                # The first step seen in a batch began with the batch (or after the
                # heartbeat, if it ran in this batch): the callbacks before it in the
                # batch are, nearly always, short.
                start = min(mark.start_bound, sample.t)
            else:
                # Somewhere between the last heartbeat and the one it held up.
                start = min(mark.start_bound + state.interval / 2, sample.t)
            run = watch.run = _Run(sample.sig, start, sample.t, mark.episode, task=sample.task)
            if watch.wait is not None and watch.wait[0] == sample.t:
                run.wait_base = watch.wait
            weight = sample.t - start
        watch.prev_t = sample.t
        if run.context is None:
            run.context = sample.context
        if watch.wait is not None and watch.wait[0] == sample.t:
            run.wait_last = watch.wait
        if sample.location is not None:
            run.weights[sample.location] = run.weights.get(sample.location, 0.0) + max(weight, 1e-6)
            run.stacks[sample.location] = sample.stack
            if sample.unseen:
                run.unseen[sample.location] = sample.unseen

    def _close(self, state: LoopState, watch: _Watch, end: float) -> None:
        run, watch.run = watch.run, None
        if run is None or not run.weights:
            return
        wall = max(end - run.start, run.last_t - run.start)
        share = 1.0 - _queued_share(run, wall)
        duration = wall * share
        weights = _by_line({frame: weight * share for frame, weight in run.weights.items()})
        dominant = max(weights, key=lambda frame: weights[frame])
        self._note_slow(dominant, duration)
        if self.doctor.recorder is not None:  # the timeline (see _recorder)
            self.doctor.recorder.step(
                state, run.start, duration, dominant, run.stacks.get(dominant, ()), run.sig,
                run.unseen.get(dominant, ""),
            )  # fmt: skip
        if duration < self.threshold or self.doctor.closing:
            return
        # One step may block at several places (a sleep, then a sort): each
        # place that alone blocked for the threshold is a finding; if none
        # did, the place seen longest stands for the whole step.
        parts = [(frame, weight) for frame, weight in weights.items() if weight >= self.threshold]
        if len(parts) <= 1:
            parts = [(dominant, duration)]
        for location, blocked in parts:
            message = f"event loop blocked for {blocked * 1000:.0f} ms"
            unseen = run.unseen.get(location)
            if unseen == "gil":
                message += (
                    f" in a step of {location.function}() (by a call that held the GIL; "
                    "its line was not seen)"
                )
            elif unseen == "blind":
                message += " (the blocking line is unknown: the GIL is disabled)"
            else:
                source = linecache.getline(location.path, location.line).strip()
                if source:
                    message += f" at `{source}`"
            extra = [("max_ms", f"{blocked * 1000:.1f}"), ("loop", state.name)]
            if share < 0.9:
                extra.append(("cpu_starved_ms", f"{(wall - duration) * 1000:.1f}"))
            if run.task:
                extra.append(("task", run.task))
            self.doctor.record(
                RuntimeFinding(
                    kind="blocking-call",
                    message=message,
                    location=location,
                    stack=run.stacks[location],
                    duration=blocked,
                    extra=tuple(extra),
                    context=run.context,
                )
            )

    def _note_slow(self, location: Frame, duration: float) -> None:
        key = f"{location.path}:{location.line} {location.function}"
        slowest = self.slowest
        slowest.append((duration, key))
        slowest.sort(reverse=True)
        del slowest[5:]

    # -- synchronous settling (for mark / findings_since / report) ------------

    def flush(self) -> None:
        """Close runs whose step is certainly over (the loop beat, stopped, was collected, or
        is this thread)."""
        # Under the lock: a tick in progress may have taken orphans it has not settled yet.
        with self.lock:
            for state in [*self.doctor.loops.take_orphans(), *self.doctor.loops.snapshot()]:
                self.settle(state)

    def settle(self, state: LoopState) -> None:
        """Close ``state``'s run if its step is certainly over."""
        with self.lock:
            watch = state.watch
            if watch is None:
                watch = state.watch = _Watch()
            if not state.running:
                self._close_wait(watch)
            if watch.run is None:
                self._check_lost(state, watch, _Mark(state), (watch.observed, watch.seen_until))
                return
            run = watch.run
            if not state.running:
                self._close(state, watch, min(run.last_t + self.sample, state.stopped_at))
                watch.prev_t = None
                self._close_wait(watch)
                return
            mark = _Mark(state)
            if mark.episode != run.episode or mark.idle:
                self._close(state, watch, self._end_of(run, mark))
                self._check_lost(state, watch, mark, (watch.observed, watch.seen_until))
            elif state.thread_id == threading.get_ident():
                self._close(state, watch, run.last_t + self.sample)
