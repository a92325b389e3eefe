"""The ``blocking-call`` detector: one watchdog thread for all loops.

Design (numbers measured on CPython 3.11, 2 cores):

* Each loop has a heartbeat (:mod:`._loops`) every ``threshold / 4``
  (25 ms by default).  While the heartbeats come on time the watchdog looks
  only every ``3/4`` of the threshold (each look makes the GIL change
  hands, which a busy loop thread pays for); when a loop's heartbeat is
  overdue by ``threshold / 4`` the loop is stuck,
  and the watchdog samples that loop's thread every ``sample_interval``
  (5 ms by default) with ``sys._current_frames()``, while it is still
  stuck, so the innermost user frame is the blocking line.
* A *step* is told apart from a burst of many short steps (a ``gather`` of
  thousands of tasks makes the heartbeat late too, without any step being
  slow) by its signature: the identity of the step's outermost frame (the
  frame right inside the loop machinery, i.e. the task's coroutine or the
  callback), its code, and the task running it (id and name, from
  ``asyncio.tasks._current_tasks``).  Consecutive samples with the same
  signature during one late episode are one run; a run longer than the
  threshold is a blocking step.  Its duration runs from the midpoint
  between the previous observation and the first sample to the midpoint
  after the last one (the previous observation being the last heartbeat,
  or a sample of another step), so it is accurate to about one sampling
  interval.  The blamed location is the user frame seen for the most time.
  Attribution never uses the "current task" alone, so with an eager task
  factory (3.12+) the frame that really blocked is blamed: it is the one on
  the sampled stack.
* A C call that holds the GIL (``sorted`` of a big list, a catastrophic
  regex) keeps the watchdog from running.  We measured that CPython 3.11
  drops the GIL right after such a call returns (the eval-breaker check
  after ``CALL``), so the watchdog's first sample after it wakes up still
  shows the calling line; the whole gap is then credited to that sample.
  When other threads compete for the GIL this is not guaranteed; the
  first sample after the call is then the only witness.  (We tried letting
  ``faulthandler.dump_traceback_later`` dump the stack from its C thread
  during such a call: it reads other threads' frames without the GIL, which
  is not safe while they run, so it is not used.)  An idle program under
  the doctor uses about 15 ms of CPU per second more (heartbeat, watchdog).
* Known limit: when *another* thread holds the GIL in a long C call while
  the loop thread is in the middle of a Python step, the loop is frozen for
  real but the gap is credited to the step it was in.  (We tried telling
  this apart with the loop thread's CPU clock; a loop thread sleeping in a
  blocking call also uses no CPU, and on a loaded machine a thread that
  holds the GIL gets far less CPU than wall time, so the rule did more harm
  than good.)
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
import linecache
import os
import sys
import threading
import time
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any

from ._frames import (
    ASYNCIO_DIR,
    frame_data,
    is_internal_file,
    is_user_file,
)
from ._models import Frame, RuntimeFinding

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._loops import LoopState

__all__ = ["Watchdog"]

_monotonic = time.monotonic


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


def _current_tasks() -> dict[Any, Any] | None:
    tasks = getattr(asyncio.tasks, "_current_tasks", None)
    return tasks if isinstance(tasks, dict) else None


class _Sample:
    """One look at a loop thread: when, which step, where (innermost first)."""

    # Plain classes, not dataclasses: creating a dataclass costs import time.
    __slots__ = ("location", "root_key", "sig", "stack", "t", "task")

    def __init__(
        self,
        t: float,
        sig: object,
        location: Frame | None,
        stack: tuple[Frame, ...],
        root_key: tuple[str, str] | None,
        task: str = "",
    ) -> None:
        self.t = t
        self.sig = sig
        self.location = location
        self.stack = stack
        self.root_key = root_key
        self.task = task


class _Run:
    """Consecutive samples of one step."""

    __slots__ = (
        "beats",
        "last_t",
        "sig",
        "stacks",
        "start",
        "task",
        "wait_base",
        "wait_last",
        "weights",
    )

    def __init__(
        self, sig: object, start: float, last_t: float, beats: int, task: str = ""
    ) -> None:
        self.sig = sig
        self.start = start
        self.last_t = last_t
        self.beats = beats
        self.weights: dict[Frame, float] = {}
        self.stacks: dict[Frame, tuple[Frame, ...]] = {}
        self.task = task
        # Run-queue wait of the loop thread (see _queued): at the observation
        # before the run, and at its last sample.
        self.wait_base: tuple[float, float] | None = None
        self.wait_last: tuple[float, float] | None = None


class _Watch:
    """The watchdog's per-loop state."""

    __slots__ = ("beats", "prev_t", "run", "wait", "wait_fd", "wait_path")

    def __init__(self) -> None:
        self.run: _Run | None = None
        self.prev_t: float | None = None  # last observation in the current late episode
        self.beats = -1
        self.wait: tuple[float, float] | None = None  # (when, run-queue wait so far)
        self.wait_fd = -1
        self.wait_path: str | None = None


class _Mark:
    """What the watchdog reads of a loop's state, all at one moment (see ``Watchdog._tick``)."""

    __slots__ = ("beats", "due", "last_beat", "running", "state", "stopped_at")

    def __init__(self, state: LoopState) -> None:
        self.state = state
        self.running = state.running
        self.beats = state.beats
        self.last_beat = state.last_beat
        self.due = state.due
        self.stopped_at = state.stopped_at


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


def _queued_share(run: _Run) -> float:
    """The part of a run the loop thread spent waiting for a CPU, not running.

    On a loaded machine the OS can leave the loop thread runnable but off
    the CPU for a long time; that is not the program's doing, so it is taken
    out of the step's duration (Linux ``/proc/self/task/<tid>/schedstat``,
    read with each sample: about 8 us), measured between the run's first and
    last samples.  Elsewhere the share is 0.
    """
    if run.wait_base is None or run.wait_last is None:
        return 0.0
    span = run.wait_last[0] - run.wait_base[0]
    if span <= 0:
        return 0.0
    return min(max((run.wait_last[1] - run.wait_base[1]) / span, 0.0), 1.0)


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
        self.wake_event = threading.Event()
        self.stopping = False
        self.thread_started = False
        self.thread_ident = 0
        self.slowest: list[tuple[float, str]] = []

    # -- life cycle ---------------------------------------------------------

    def ensure_thread(self) -> None:
        with self.lock:
            if self.thread_started or self.stopping:
                return
            self.thread_started = True
        _thread.start_new_thread(self._main, ())

    def wake(self) -> None:
        self.wake_event.set()

    def stop(self) -> None:
        self.stopping = True
        self.wake_event.set()

    def after_fork(self) -> None:
        self.thread_started = False
        self.lock = threading.RLock()
        self.wake_event = threading.Event()

    # -- the watchdog thread ----------------------------------------------------

    def _main(self) -> None:
        self.thread_ident = threading.get_ident()
        intended: float | None = None
        try:
            while not self.stopping and not self.doctor.closing:
                # First thing once awake, before any work that may give the GIL
                # back: on a busy machine the loop thread may take it again and
                # start the next long step before we look.
                frames = sys._current_frames()
                now = _monotonic()
                marks = _marks(self.doctor.loops.snapshot())
                starved = intended is not None and now - intended > self.starve_limit
                if not self.lock.acquire(blocking=False):
                    # Never hold other threads' frames (and so their locals: a loop
                    # that should be collected) while waiting: look again once in.
                    del frames
                    self.lock.acquire()
                    frames = sys._current_frames()
                    now = _monotonic()
                    marks = _marks(self.doctor.loops.snapshot())
                try:
                    next_wake = self._tick(now, starved, frames, marks)
                finally:
                    self.lock.release()
                del frames, marks
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
                    self.wake_event.wait(1.0)
                    self.wake_event.clear()
                    continue
                now = _monotonic()
                delay = max(next_wake - now, 0.0005)
                intended = now + delay
                if self.wake_event.wait(delay):
                    self.wake_event.clear()
                    intended = None
        except Exception as exc:
            self.doctor.internal_error("watchdog", exc)

    def _tick(
        self,
        now: float,
        starved: bool,
        frames: dict[int, FrameType],
        marks: list[_Mark],
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
        for mark in marks:
            state = mark.state
            watch = state.watch
            if watch is None:
                watch = state.watch = _Watch()
            if not mark.running:
                if watch.run is not None:
                    self._close(state, watch, min(watch.run.last_t + self.sample, mark.stopped_at))
                watch.prev_t = None
                continue
            if mark.beats != watch.beats:
                # The loop got back to its heartbeat: any late episode is over.
                if watch.run is not None:
                    self._close(state, watch, min(watch.run.last_t + self.sample, mark.last_beat))
                watch.beats = mark.beats
                watch.prev_t = None
            late = now - mark.due
            if late <= self.sample_after:
                wake_at = max(mark.due + self.sample_after, now + self.healthy_wait)
            else:
                self._observe(mark, watch, now, frames, starved)
                wake_at = now + self.sample
            next_wake = wake_at if next_wake is None else min(next_wake, wake_at)
        return next_wake

    def _observe(
        self,
        mark: _Mark,
        watch: _Watch,
        now: float,
        frames: dict[int, FrameType],
        starved: bool,
    ) -> None:
        state = mark.state
        top = frames.get(state.thread_id)
        if top is None:  # the thread is gone
            state.running = False
            state.stopped_at = now
            return
        sample = self._analyse(state, top, now)
        self._read_wait(state, watch, now)
        self._add(state, watch, sample, mark.last_beat, mark.beats, starved=starved)

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
            # pread at offset 0 makes /proc regenerate the figures: about 8 us,
            # against 90 us for open/read/close.
            waited = int(os.pread(watch.wait_fd, 128, 0).split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            state.sched_path = None
            self._close_wait(watch)
            return
        watch.wait = (now, waited)

    @staticmethod
    def _close_wait(watch: _Watch) -> None:
        if watch.wait_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(watch.wait_fd)
        watch.wait_fd = -1
        watch.wait_path = None
        watch.wait = None

    def _analyse(self, state: LoopState, top: FrameType, now: float) -> _Sample:
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
        current = _current_tasks()
        if current is not None:
            loop = state.loop_ref()
            task = current.get(loop) if loop is not None else None
            if task is not None:
                try:
                    task_name = str(task.get_name())
                except Exception:
                    task_name = ""
                task_key = (id(task), task_name)
        location = None
        for f in step:
            if is_user_file(f.f_code.co_filename):
                location = frame_data(f)
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
        sig = (id(root), root_code, task_key)
        return _Sample(
            now, sig, location, stack, (root_code.co_filename, root_code.co_name), task_name
        )

    def _add(
        self,
        state: LoopState,
        watch: _Watch,
        sample: _Sample,
        last_beat: float,
        beats: int,
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
            else:
                start = min(last_beat + state.interval / 2, sample.t)
            run = watch.run = _Run(sample.sig, start, sample.t, beats, task=sample.task)
            if watch.wait is not None and watch.wait[0] == sample.t:
                run.wait_base = watch.wait
            weight = sample.t - start
        watch.prev_t = sample.t
        if watch.wait is not None and watch.wait[0] == sample.t:
            run.wait_last = watch.wait
        if sample.location is not None:
            run.weights[sample.location] = run.weights.get(sample.location, 0.0) + max(weight, 1e-6)
            run.stacks[sample.location] = sample.stack

    def _close(self, state: LoopState, watch: _Watch, end: float) -> None:
        run, watch.run = watch.run, None
        if run is None or not run.weights:
            return
        wall = max(end - run.start, run.last_t - run.start)
        share = 1.0 - _queued_share(run)
        duration = wall * share
        weights = _by_line({frame: weight * share for frame, weight in run.weights.items()})
        dominant = max(weights, key=lambda frame: weights[frame])
        self._note_slow(dominant, duration)
        if duration < self.threshold or self.doctor.closing:
            return
        # One step may block at several places (a sleep, then a sort): each
        # place that alone blocked for the threshold is a finding; if none
        # did, the place seen longest stands for the whole step.
        parts = [(frame, weight) for frame, weight in weights.items() if weight >= self.threshold]
        if len(parts) <= 1:
            parts = [(dominant, duration)]
        for location, blocked in parts:
            source = linecache.getline(location.path, location.line).strip()
            message = f"event loop blocked for {blocked * 1000:.0f} ms"
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
            if watch is not None and not state.running:
                self._close_wait(watch)
            if watch is None or watch.run is None:
                return
            run = watch.run
            if not state.running:
                self._close(state, watch, min(run.last_t + self.sample, state.stopped_at))
                watch.prev_t = None
                self._close_wait(watch)
            elif state.beats != run.beats:
                self._close(state, watch, min(run.last_t + self.sample, state.last_beat))
            elif state.thread_id == threading.get_ident():
                self._close(state, watch, run.last_t + self.sample)
