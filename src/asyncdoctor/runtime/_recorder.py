"""The timeline: a bounded flight recorder of what each event loop did.

On only when asked (``DoctorOptions(timeline=True)``, ``asyncdoctor run --trace
FILE.json`` or ``--timeline FILE.html``); the default doctor creates none of it.
It keeps, for the last ``timeline_seconds`` (60 by default) and within fixed
caps whatever the program does (see *Memory* below):

* **Busy stretches** of each loop.  On asyncio's own loops they are exact: the
  selector's ``select``, which the doctor already times (:mod:`._loops`), closes
  a stretch whenever the loop waited more than 1 ms for I/O or a timer (shorter
  waits stay inside the stretch, which counts them as its idle time); a
  stretch costs one row, written by the loop's thread after such a wait, never
  per step or per task.  uvloop has no such hook: there a stretch is a
  heartbeat that ran more than 2 ms late (it ran from when the beat was due to
  when it ran, at least), a lower bound.
* **Slow steps**: every step the watchdog (:mod:`._watchdog`) measured, with
  its duration, task, coroutine, line and stack; those that reach the
  threshold are the ``blocking-call`` findings.  Exact, as the findings are.
* **Which task is running, sampled**: a thread of the recorder reads
  ``asyncio.current_task(loop)`` (public, answers from another thread on every
  version) every 5 ms by default (twice the doctor's ``sample_interval``, and at
  least the interpreter's switch interval) while a loop is busy,
  and backs off ten times while every loop waits.  Consecutive samples of one
  task make one *run*.  A busy loop thread hands the GIL over for each sample
  (at the interpreter's switch interval, 5 ms, at the latest), so samples are
  at most that frequent on a loop running pure Python; nothing runs in the
  loop's thread.
* **Task lifetimes and awaits, sampled**: at a heartbeat, in the loop's own
  thread, ``asyncio.all_tasks(loop)`` and, for each task, its name, coroutine,
  where it is suspended (its await chain) and the tasks it awaits (the task it
  waits on, a ``gather``'s children, a ``TaskGroup``'s tasks).  A task's
  lifetime runs from the first sample that saw it pending to the last.  At
  most every 50 ms, and the next sample waits 400 times as long as this one
  took (in CPU time): at most 0.25 % of the loop's time.  Where it was created
  is exact with ``task_sites=True`` (the doctor's task factory), else guessed
  from the code when the timeline is read.
* **Lag**: each heartbeat's lateness, at most one point per 10 ms per loop
  (the largest lateness in those 10 ms).

What per-step recording would cost (measured with callgrind, CPython 3.11, the
task workload of ``bench/overhead_callgrind.py``): wrapping
``asyncio.events.Handle._run`` with two clock reads and a comparison, the least
a per-step record needs, adds 6.4 % per task, above the 5 % budget before
storing anything; uvloop's handles are Cython and cannot be wrapped at all.
So steps are sampled, and only long ones are measured exactly, by the watchdog.

Internals read (verified on CPython 3.11-3.15): ``Task._fut_waiter`` (the
future a task waits on), ``_GatheringFuture._children``, ``TaskGroup._tasks``
read from the frame of ``TaskGroup.__aexit__`` / ``_aexit`` on the await
chain, and the coroutines' ``cr_await`` / ``cr_frame``.  Each read is guarded:
a task whose internals differ simply shows no awaits.

**Memory.**  Rows live in fixed-size rings shared by all loops: 65,536 busy
stretches (32 bytes each), 65,536 lag points (24 bytes), 16,384 runs of the
sampled running task (about 200 bytes each, the task's name included), 1,024
slow steps (with their stacks, at most about 2 KB each), and at most 10,000
tasks (about 800 bytes each, their await chains included); the most recent
64 loops.  That is at most about 18 MB whatever the program does (a million
tasks fill the task table once; the tasks that ended are dropped first, and a
task that finds the table full of live ones is counted, not recorded).  A
ring that overflows keeps the newest rows: the timeline then covers less
than ``timeline_seconds``, and says so (:attr:`Timeline.dropped`).
"""

from __future__ import annotations

import _thread
import asyncio
import collections
import contextlib
import os
import signal
import sys
import threading
import time
import weakref
from array import array
from types import CodeType, CoroutineType, FrameType, GeneratorType
from typing import TYPE_CHECKING, Any

from ._frames import is_user_file
from ._loops import _MERGE_GAP
from ._models import Frame
from ._tasks import coro_of, name_of

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._loops import LoopState
    from ._timeline import Timeline

__all__ = ["LoopRecording", "Recorder"]

_monotonic = time.monotonic
_thread_time = time.thread_time

#: An idle wait longer than this (seconds) ends a busy stretch; shorter ones stay inside it.
MERGE_GAP = _MERGE_GAP
#: Busy stretches shorter than this (seconds) are not stored.
MIN_STRETCH = 0.00005
#: Lateness (seconds) of a heartbeat that counts as a busy stretch on loops without marks.
BUSY_LAG = 0.002
#: At most one lag point per loop per this many seconds (the largest lateness in it).
LAG_STEP = 0.01
#: Task samples: at least this many seconds apart, and 400 times as long as the last one took.
TASK_SAMPLE_FLOOR = 0.05
TASK_SAMPLE_FACTOR = 400
#: The running-task sampler's interval: twice the watchdog's, and at least the interpreter's
#: switch interval (5 ms), which is as often as it gets the GIL from a loop running Python.
SAMPLE_FACTOR = 2
SAMPLE_MIN = 0.005
#: While every loop waits, the running-task sampler sleeps this many intervals.
IDLE_BACKOFF = 10
IDLE_ROUNDS = 50

BUSY_ROWS = 65_536
LAG_ROWS = 65_536
RUN_ROWS = 16_384
SLOW_ROWS = 1_024
TASK_RECORDS = 10_000
LOOP_RECORDS = 64
#: Frames kept of a task's await chain, and tasks kept of what it awaits.
CHAIN_LIMIT = 6
AWAITS_LIMIT = 16
_FRAME_CACHE = 20_000

#: The signal that writes the timeline of a running program (installed only if unhandled).
DUMP_SIGNAL = getattr(signal, "SIGUSR2", None)


# -- the rings ------------------------------------------------------------------------


class _Rows:
    """The newest ``cap`` rows of ``width`` floats, in one flat array that grows up to
    ``cap`` rows (8 bytes a float; one C call to add a row)."""

    __slots__ = ("cap", "count", "data", "width")

    def __init__(self, cap: int, width: int) -> None:
        self.cap = cap
        self.width = width
        self.data = array("d")
        self.count = 0

    def add(self, row: tuple[float, ...]) -> None:
        count = self.count
        if count < self.cap:
            self.data.extend(row)
        else:
            index = count % self.cap * self.width
            self.data[index : index + self.width] = array("d", row)
        self.count = count + 1

    def rows(self) -> list[tuple[float, ...]]:
        """Every row, oldest first."""
        data, width = self.data, self.width
        if self.count > self.cap:
            split = self.count % self.cap * width
            data = data[split:] + data[:split]
        return [tuple(data[i : i + width]) for i in range(0, len(data), width)]

    @property
    def overwritten(self) -> int:
        return max(0, self.count - self.cap)

    def clear(self) -> None:
        self.data = array("d")
        self.count = 0


class _TaskRec:
    """A task as the task samples saw it (no reference to the task itself)."""

    __slots__ = (
        "awaits",
        "chain",
        "code",
        "coroutine",
        "first",
        "last",
        "loop",
        "name",
        "samples",
        "site",
        "task_id",
    )

    def __init__(self, loop: int, task_id: int, name: str, now: float) -> None:
        self.loop = loop
        self.task_id = task_id
        self.name = name
        self.first = now
        self.last = now
        self.samples = 0
        self.coroutine = "?"
        self.code: CodeType | None = None
        self.site: Frame | None = None  # recorded by the task factory
        self.chain: tuple[Frame, ...] = ()
        self.awaits: tuple[tuple[int, str], ...] = ()


class LoopRecording:
    """The recorder's state for one loop: written by the loop's thread (and the sampler's)."""

    __slots__ = (
        "label",
        "lag_at",
        "lag_max",
        "late",
        "marked",
        "number",
        "recorder",
        "run",
        "running",
        "state_ref",
        "stretch_at",
        "stretch_idle",
        "task_next",
        "task_prev",
        "thread",
        "thread_id",
    )

    def __init__(self, recorder: Recorder, state: LoopState) -> None:
        self.recorder = recorder
        self.state_ref: weakref.ref[LoopState] = weakref.ref(state)
        self.number = state.number
        self.label = f"{state.name}#{state.number}"
        self.thread = ""
        self.thread_id = 0
        self.marked = False
        self.running = False
        self.stretch_at = 0.0  # when the current busy stretch began
        self.stretch_idle = 0.0  # the loop's idle total then
        self.lag_at = 0.0
        self.lag_max = 0.0
        # on loops without marks: the busy stretch that late heartbeats reveal, still open
        # (consecutive late beats make one stretch), as [start, end], or None
        self.late: list[float] | None = None
        self.task_next = 0.0  # the next task sample: not before this time
        self.task_prev = -1.0
        # the sampled running task: [first sample, last sample, samples, key] or None
        self.run: list[Any] | None = None

    # -- in the loop's thread ---------------------------------------------------------

    def busy_until(self, end: float, resume: float, idle_total: float) -> None:
        """The loop went idle at ``end`` until ``resume`` (a wait longer than MERGE_GAP).

        Called from the selector's ``select`` (see ``LoopState.mark_batches``);
        ``idle_total`` is the loop's idle time counting this wait.
        """
        start = self.stretch_at
        idle = max(0.0, idle_total - (resume - end) - self.stretch_idle)
        self.stretch_at = resume
        self.stretch_idle = idle_total
        if end - start < MIN_STRETCH:
            return
        recorder = self.recorder
        with recorder.lock:
            recorder.busy.add((self.number, start, end, idle))

    def flush_late(self) -> None:
        """Store the busy stretch that late heartbeats revealed, if any."""
        late, self.late = self.late, None
        if late is not None:
            with self.recorder.lock:
                self.recorder.busy.add((self.number, late[0], late[1], 0.0))

    def stopped(self, state: LoopState) -> None:
        """The loop stopped running (in its thread)."""
        self.recorder.loop_stopped(self, state)

    def beat(self, state: LoopState, loop: asyncio.AbstractEventLoop, now: float, lag: float) -> None:
        """At each heartbeat: the lag point, the busy stretch it reveals (uvloop), the tasks."""
        recorder = self.recorder
        self.marked = state.marked
        if lag > self.lag_max:
            self.lag_max = lag
        if now - self.lag_at >= LAG_STEP:
            with recorder.lock:
                recorder.lag.add((self.number, now, self.lag_max))
            self.lag_at = now
            self.lag_max = 0.0
        if not self.marked and lag > BUSY_LAG:  # a loop without marks was busy (uvloop)
            late = self.late
            if late is not None and now - lag - late[1] <= 1.5 * state.interval:
                late[1] = now  # the same stretch, one beat on
            else:
                self.flush_late()
                self.late = [now - lag, now]
        if now >= self.task_next:
            recorder.sample_tasks(self, loop, now)


# -- awaits between tasks ---------------------------------------------------------------


def _taskgroup_codes() -> frozenset[int]:
    """ids of the code of ``TaskGroup.__aexit__`` and ``_aexit`` (3.14+), whose frame holds it."""
    codes: set[int] = set()
    group = getattr(asyncio, "TaskGroup", None)
    for name in ("__aexit__", "_aexit"):
        code = getattr(getattr(group, name, None), "__code__", None)
        if isinstance(code, CodeType):
            codes.add(id(code))
    return frozenset(codes)


_TASKGROUP_CODES = _taskgroup_codes()


def _walk(
    task: Any, frames: dict[tuple[int, int], tuple[CodeType, Frame]]
) -> tuple[tuple[Frame, ...], list[Any]]:
    """A pending task's await chain (outermost first, at most CHAIN_LIMIT frames, the user's
    and the innermost) and the tasks it waits for."""
    awaited: list[Any] = []
    waiter = getattr(task, "_fut_waiter", None)
    if isinstance(waiter, asyncio.Task):
        awaited.append(waiter)
    elif waiter is not None:
        children = getattr(waiter, "_children", None)  # a gather
        if isinstance(children, list):
            awaited.extend(child for child in children if isinstance(child, asyncio.Task))
    chain: list[Frame] = []
    last: FrameType | None = None  # the innermost frame, kept even if not the user's
    coro = coro_of(task)
    depth = 0
    while coro is not None and depth < 64:
        depth += 1
        frame: FrameType | None = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            code = frame.f_code
            last = frame
            if is_user_file(code.co_filename):
                chain.append(_frame(frame, frames))
            if not awaited and id(code) in _TASKGROUP_CODES:
                owner = frame.f_locals.get("self")
                tasks = getattr(owner, "_tasks", None)
                if isinstance(tasks, set):
                    awaited.extend(t for t in tasks if isinstance(t, asyncio.Task))
        if isinstance(coro, CoroutineType):
            coro = coro.cr_await
        elif isinstance(coro, GeneratorType):
            coro = coro.gi_yieldfrom
        else:
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    if last is not None:
        innermost = _frame(last, frames)
        if not chain or chain[-1] is not innermost:
            chain.append(innermost)
    if len(chain) > CHAIN_LIMIT:
        chain = chain[: CHAIN_LIMIT - 1] + chain[-1:]
    return tuple(chain), awaited


def _frame(frame: FrameType, frames: dict[tuple[int, int], tuple[CodeType, Frame]]) -> Frame:
    """``frame`` as a :class:`Frame`, shared with the other tasks suspended at the same place.

    Keyed by the code's id and the instruction (the code is kept with the answer, so that
    its id stays its own): finding a line from an instruction scans the line table.
    """
    code = frame.f_code
    key = (id(code), frame.f_lasti)
    found = frames.get(key)
    if found is None:
        if len(frames) >= _FRAME_CACHE:
            frames.clear()
        found = frames[key] = (
            code,
            Frame(code.co_filename, frame.f_lineno or code.co_firstlineno, code.co_name),
        )
    return found[1]


def _coroutine_name(coro: object) -> tuple[str, CodeType | None]:
    code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    name = getattr(coro, "__qualname__", None)
    if not isinstance(name, str):
        name = type(coro).__name__ if coro is not None else "?"
    return name, code if isinstance(code, CodeType) else None


def _new_wake_lock() -> _thread.LockType:
    lock = _thread.allocate_lock()
    lock.acquire()
    return lock


# -- the recorder ---------------------------------------------------------------------


class Recorder:
    """Keeps the timeline of every loop the doctor watches (see the module docstring)."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        options = doctor.options
        self.window: float = options.timeline_seconds
        self.interval = max(SAMPLE_FACTOR * options.sample, SAMPLE_MIN)
        self.threshold = options.threshold
        self.t0 = _monotonic()
        self.wall0 = time.time()
        self.lock = threading.Lock()
        self.busy = _Rows(BUSY_ROWS, 4)  # loop, start, end, idle
        self.lag = _Rows(LAG_ROWS, 3)  # loop, t, lag
        # loop, first sample, last sample, samples, (task id, name, coroutine)
        self.runs: collections.deque[tuple[int, float, float, int, tuple[int, str, str]]] = (
            collections.deque(maxlen=RUN_ROWS)
        )
        self.runs_total = 0
        # loop, start, duration, location, stack, task key, coroutine, unseen
        self.slow: collections.deque[tuple[Any, ...]] = collections.deque(maxlen=SLOW_ROWS)
        self.slow_total = 0
        self.tasks: dict[tuple[int, str], _TaskRec] = {}
        self.tasks_unrecorded = 0
        self.loops: dict[int, LoopRecording] = {}
        self._frames: dict[tuple[int, int], tuple[CodeType, Frame]] = {}
        self._sampling_tasks = True
        self._wake = _new_wake_lock()
        self._started = False
        self._stopping = False
        self._dump_asked = False
        self._dumps = 0
        #: Where a dump on DUMP_SIGNAL writes its files (the working directory at install).
        self.dump_dir: str | None = None
        self._signal_installed = False

    # -- life cycle -----------------------------------------------------------------------

    def install(self) -> None:
        """Take DUMP_SIGNAL if the program leaves it at its default (main thread only)."""
        self._stopping = False
        if self.dump_dir is None:
            with contextlib.suppress(OSError):
                self.dump_dir = os.getcwd()
        if DUMP_SIGNAL is None:
            self.doctor.unavailable("the timeline on a signal", "this platform has no SIGUSR2")
            return
        if threading.current_thread() is not threading.main_thread():
            self.doctor.unavailable(
                "the timeline on a signal", "the doctor was installed outside the main thread"
            )
            return
        if signal.getsignal(DUMP_SIGNAL) != signal.SIG_DFL:
            self.doctor.unavailable(
                "the timeline on a signal", "the program handles SIGUSR2 itself"
            )
            return
        signal.signal(DUMP_SIGNAL, self._on_signal)
        self._signal_installed = True

    def uninstall(self) -> None:
        """Stop sampling; give DUMP_SIGNAL back its default if it is still ours."""
        self._stopping = True
        with contextlib.suppress(RuntimeError):
            self._wake.release()
        if self._signal_installed and DUMP_SIGNAL is not None:
            self._signal_installed = False
            with contextlib.suppress(ValueError, OSError):
                if signal.getsignal(DUMP_SIGNAL) == self._on_signal:
                    signal.signal(DUMP_SIGNAL, signal.SIG_DFL)

    def after_fork(self) -> None:
        """In a forked child: the parent's rows are the parent's; start afresh."""
        self.lock = threading.Lock()
        self._wake = _new_wake_lock()
        self._started = False
        self.busy.clear()
        self.lag.clear()
        self.runs.clear()
        self.slow.clear()
        self.tasks = {}
        self.loops = {}
        self.runs_total = self.slow_total = self.tasks_unrecorded = 0
        self.t0 = _monotonic()
        self.wall0 = time.time()

    def _on_signal(self, signum: int, frame: object) -> None:
        # In the main thread, between two bytecodes of the program: only ask.
        self._dump_asked = True
        with contextlib.suppress(RuntimeError):
            self._wake.release()

    def loop_started(self, state: LoopState) -> LoopRecording:
        """``state``'s loop is about to run, in this thread (see ``LoopState.started``)."""
        rec = state.rec if state.rec is not None and state.rec.recorder is self else None
        if rec is None:
            rec = LoopRecording(self, state)
        if self.loops.get(state.number) is not rec:
            with self.lock:
                self.loops[state.number] = rec
                if len(self.loops) > LOOP_RECORDS:
                    oldest = min(
                        (r for r in self.loops.values() if not r.running),
                        key=lambda r: r.number,
                        default=None,
                    )
                    if oldest is not None:
                        del self.loops[oldest.number]
        rec.thread = threading.current_thread().name
        rec.thread_id = threading.get_native_id()
        rec.running = True
        rec.stretch_at = _monotonic()
        rec.stretch_idle = state.idle_total
        self._ensure_thread()
        return rec

    def loop_stopped(self, rec: LoopRecording, state: LoopState) -> None:
        """The loop stopped running (in its thread): close its busy stretch and its run."""
        rec.running = False
        if state.marked:
            now = _monotonic()
            rec.busy_until(now, now, state.idle_total)
        rec.flush_late()
        with self.lock:
            self._close_run(rec)

    # -- the watchdog's steps (its thread) ----------------------------------------------

    def step(
        self,
        state: LoopState,
        start: float,
        duration: float,
        location: Frame | None,
        stack: tuple[Frame, ...],
        sig: object,
        unseen: str,
    ) -> None:
        """A step the watchdog measured (``sig`` is its run's signature: it names the task)."""
        key: tuple[int, str] | None = None
        coroutine: str | None = None
        if isinstance(sig, tuple):
            if len(sig) == 3 and isinstance(sig[2], tuple) and len(sig[2]) == 2:
                key = (int(sig[2][0]), str(sig[2][1]))
                if isinstance(sig[1], CodeType):
                    coroutine = sig[1].co_qualname
            elif len(sig) == 4 and sig[0] == "blind" and sig[3]:
                key = (int(sig[2]), str(sig[3]))
        with self.lock:
            self.slow_total += 1
            self.slow.append((state.number, start, duration, location, stack, key, coroutine, unseen))

    # -- the running task, sampled (the recorder's thread) --------------------------------

    def _ensure_thread(self) -> None:
        with self.lock:
            if self._started or self._stopping:
                return
            self._started = True
        _thread.start_new_thread(self._main, ())

    def _main(self) -> None:
        idle_rounds = 0
        try:
            while not self._stopping and not self.doctor.closing:
                delay = self.interval * (IDLE_BACKOFF if idle_rounds >= IDLE_ROUNDS else 1)
                self._wake.acquire(True, delay)
                if self._stopping or self.doctor.closing:
                    break
                if self._dump_asked:
                    self._dump_asked = False
                    self.dump()
                    idle_rounds = 0
                    continue
                idle_rounds = 0 if self._sample_running(_monotonic()) else idle_rounds + 1
        except Exception as exc:
            self.doctor.internal_error("timeline", exc)

    def _sample_running(self, now: float) -> bool:
        """Which task each busy loop runs now; whether any loop was busy."""
        busy = False
        for rec in list(self.loops.values()):
            if not rec.running:
                continue
            state = rec.state_ref()
            if state is None or not state.running:
                continue
            if state.marked and state.select_at > state.batch_at:  # waiting in its selector
                if rec.run is not None:
                    with self.lock:
                        self._close_run(rec)
                continue
            loop = state.loop_ref()
            task = None
            if loop is not None:
                try:
                    task = asyncio.current_task(loop)
                except Exception:
                    task = None
            if task is None:
                if rec.run is not None:
                    with self.lock:
                        self._close_run(rec)
                continue
            busy = True
            name = name_of(task)
            run = rec.run
            if run is not None and run[3][0] == id(task) and run[3][1] == name:
                run[1] = now
                run[2] += 1
                continue
            coroutine, _code = _coroutine_name(coro_of(task))
            with self.lock:
                self._close_run(rec)
                rec.run = [now, now, 1, (id(task), name, coroutine)]
        return busy

    def _close_run(self, rec: LoopRecording) -> None:
        """(Under the lock.)"""
        run, rec.run = rec.run, None
        if run is not None:
            self.runs_total += 1
            self.runs.append((rec.number, run[0], run[1], run[2], run[3]))

    # -- task samples (the loop's thread, at a heartbeat) --------------------------------

    def sample_tasks(self, rec: LoopRecording, loop: asyncio.AbstractEventLoop, now: float) -> None:
        """Note every pending task of ``loop``: lifetimes, awaits, where each waits."""
        if not self._sampling_tasks:
            rec.task_next = now + 3600.0
            return
        begin = _thread_time()
        try:
            self._sample_tasks(rec, loop, now)
        except Exception as exc:
            self._sampling_tasks = False
            self.doctor.internal_error("timeline task samples", exc)
        # what it cost in CPU time, not wall time: a sample merely preempted on a loaded
        # machine must not put off the next one
        cost = _thread_time() - begin
        rec.task_next = now + max(TASK_SAMPLE_FLOOR, TASK_SAMPLE_FACTOR * cost)

    def _sample_tasks(self, rec: LoopRecording, loop: asyncio.AbstractEventLoop, now: float) -> None:
        tasks = asyncio.all_tasks(loop)
        table = self.tasks
        if len(table) + len(tasks) > TASK_RECORDS:
            with self.lock:
                self._make_room(len(table) + len(tasks) - TASK_RECORDS)
        previous = rec.task_prev
        rec.task_prev = now
        sites = self.doctor.tasks.sites
        frames = self._frames
        number = rec.number
        unrecorded = 0
        # One task at a time: beyond asyncio's own set of the pending tasks, a sample
        # holds nothing in proportion to their number, however many there are.
        for task in tasks:
            name = name_of(task)
            key = (id(task), name)
            record = table.get(key)
            if record is None or record.last != previous or record.loop != number:
                if record is None and len(table) >= TASK_RECORDS:
                    unrecorded += 1
                    continue
                record = _TaskRec(number, id(task), name, now)
                record.coroutine, record.code = _coroutine_name(coro_of(task))
                record.site = sites.frame(getattr(task, "_asyncdoctor_site", None))
                table[key] = record
            record.last = now
            record.samples += 1
            record.chain, awaited = _walk(task, frames)
            if awaited:
                keys = dict.fromkeys(record.awaits)
                for other in awaited:
                    if len(keys) >= AWAITS_LIMIT:
                        break
                    keys[(id(other), name_of(other))] = None
                record.awaits = tuple(keys)
        self.tasks_unrecorded += unrecorded

    def _make_room(self, wanted: int) -> None:
        """Drop tasks that ended (not seen at their loop's last sample), oldest first: at
        least ``wanted`` (and a quarter of the table, so that this runs seldom), or as
        many as there are.  (Under the lock.)"""

        def ended(record: _TaskRec) -> bool:
            owner = self.loops.get(record.loop)
            return owner is None or record.last < owner.task_prev

        # a copy first (one C call): another loop's thread may add to the table meanwhile
        records = list(self.tasks.values())
        gone = sorted((r for r in records if ended(r)), key=lambda r: r.last)
        for record in gone[: max(wanted, TASK_RECORDS // 4)]:
            self.tasks.pop((record.task_id, record.name), None)

    # -- reading ------------------------------------------------------------------------
    def timeline(self) -> Timeline:
        """What the loops did in the last ``timeline_seconds``, as plain records."""
        from ._timeline import build_timeline

        return build_timeline(self)

    # -- dumps ----------------------------------------------------------------------------

    def dump(self) -> tuple[str, str] | None:
        """Write the timeline now (on DUMP_SIGNAL): a Chrome trace and the HTML page.

        Files ``asyncdoctor-timeline-PID-N.json`` and ``.html`` in :attr:`dump_dir`;
        their paths, or ``None`` when they could not be written (said once on stderr).
        """
        folder = self.dump_dir or "."
        self._dumps += 1
        base = os.path.join(folder, f"asyncdoctor-timeline-{os.getpid()}-{self._dumps}")
        try:
            from ..export.timeline import write_html
            from ..export.trace import write_trace

            timeline = self.timeline()
            # Each file appears whole (renamed into place), the page last.
            write_trace(timeline, base + ".json.tmp")
            os.replace(base + ".json.tmp", base + ".json")
            write_html(timeline, base + ".html.tmp")
            os.replace(base + ".html.tmp", base + ".html")
        except Exception as exc:
            self.doctor.internal_error("timeline dump", exc)
            return None
        stream = sys.__stderr__
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.write(f"asyncdoctor: timeline written to {base}.json and {base}.html\n")
                stream.flush()
        return base + ".json", base + ".html"
