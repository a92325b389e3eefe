"""A snapshot of a running program: its loops, its tasks and what they await, its latest findings.

What ``asyncdoctor top`` shows, and what the live socket answers to
``{"get": "snapshot"}``.  It is taken from any thread (the live server's),
without running anything on the loops, so a loop that is blocked right now is
shown as blocked, with the line it is on:

* **Loops**: the health figures of :mod:`._metrics`, and whether the loop is
  in the middle of a step longer than the doctor's threshold right now (on
  asyncio's loops, from the marks the selector leaves at each turn; on
  uvloop, from the heartbeat's lateness), with the innermost user line of the
  loop thread (``sys._current_frames()``; never read with the GIL disabled,
  where it is not safe).
* **Tasks**: ``asyncio.all_tasks(loop)``, which answers from another thread
  on every version (3.11-3.13 copy asyncio's weak set, retrying if it changes
  meanwhile; 3.14+ read the per-thread lists).  For each: its name, its
  coroutine, where it is suspended (the chain of coroutines it awaits,
  outermost first), what it waits on, and the tasks waiting for it: on
  3.14+ the ``awaited_by`` links asyncio keeps (also through ``gather`` and
  ``shield``), before that the tasks among its done-callbacks (a task that
  awaits another is woken by a callback bound to it).  Its **age** is exact
  when the doctor recorded when it was created (``task_stats``), otherwise
  the time since a snapshot first saw it (a lower bound, said so:
  ``age_exact`` is false).
* **Findings**: the latest ones, grouped as in the report.

The result is a plain :class:`Snapshot` with a JSON form (:meth:`Snapshot.to_json`)
whose shape is documented in ``docs/live.md``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

from ._frames import frame_data, is_internal_file, is_user_frame
from ._metrics import loop_health
from ._models import Frame, RuntimeFinding
from ._tasks import awaited, coro_of, frame_of, name_of

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._loops import LoopState
    from ._metrics import LoopHealth

__all__ = ["LoopView", "Snapshot", "Snapshotter", "TaskView", "snapshotter_of"]

#: Tasks described in one snapshot at most (the stuck ones first); the others are counted.
MAX_TASKS = 2000
#: The latest findings a snapshot carries.
MAX_FINDINGS = 50
#: Frames of one task's await chain kept (the innermost ones).
MAX_STACK = 16


@dataclass(frozen=True)
class TaskView:
    """One pending task, as a snapshot saw it."""

    id: int  # stable while the task lives (its id())
    name: str
    coroutine: str
    loop: str  # the label of its loop (see LoopHealth.label)
    state: str  # "running" (the loop's current task), "pending"
    age: float | None  # seconds
    age_exact: bool  # False: time since a snapshot first saw it, a lower bound
    stack: tuple[Frame, ...]  # where it is suspended: its coroutines, outermost first
    waits_on: str  # what the innermost coroutine awaits ("Event.wait", "sleep", "Task x"...)
    awaited_by: tuple[int, ...]  # ids of the tasks waiting for this one
    created_at: Frame | None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "coroutine": self.coroutine,
            "loop": self.loop,
            "state": self.state,
            "age": self.age,
            "age_exact": self.age_exact,
            "stack": [f.to_json() for f in self.stack],
            "waits_on": self.waits_on,
            "awaited_by": list(self.awaited_by),
            "created_at": None if self.created_at is None else self.created_at.to_json(),
        }


@dataclass(frozen=True)
class LoopView:
    """One loop: its health, and whether a step is blocking it right now."""

    health: LoopHealth
    tasks: int | None  # pending tasks now (None: could not be listed)
    current_task: str | None  # the task whose step runs now, if any
    blocked_for: float | None  # seconds the current step has run, when past the threshold
    blocked_at: Frame | None  # the user's line the loop thread is on, while blocked

    def to_json(self) -> dict[str, object]:
        h = self.health
        return {
            "label": h.label,
            "class": h.loop_class,
            "thread_id": h.thread_id,
            "running": h.running,
            "run_seconds": h.run_seconds,
            "utilization": h.utilization,
            "utilization_method": h.utilization_method,
            "lag": {"bounds": list(h.lag_bounds), "buckets": list(h.lag_buckets), "sum": h.lag_sum,
                    "count": h.lag_count},
            "cpu_seconds": h.cpu_seconds,
            "steps": h.steps,
            "tasks": self.tasks,
            "current_task": self.current_task,
            "blocked_for": self.blocked_for,
            "blocked_at": None if self.blocked_at is None else self.blocked_at.to_json(),
        }


@dataclass(frozen=True)
class Snapshot:
    """What a running program's loops and tasks are doing now."""

    pid: int
    python: str
    taken_at: float  # time.time()
    threshold: float  # the doctor's blocking threshold, seconds
    loops: tuple[LoopView, ...]
    tasks: tuple[TaskView, ...]
    tasks_left_out: int  # pending tasks not described (past MAX_TASKS)
    findings: tuple[RuntimeFinding, ...]
    unavailable: tuple[tuple[str, str], ...] = field(default=())
    # asyncio queues, connection pools and open resources (Doctor.queues/pools/resources), as JSON
    queues: tuple[dict[str, object], ...] = field(default=())
    pools: tuple[dict[str, object], ...] = field(default=())
    resources: tuple[dict[str, object], ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        return {
            "version": 1,
            "source": "live",
            "pid": self.pid,
            "python": self.python,
            "taken_at": self.taken_at,
            "threshold": self.threshold,
            "loops": [loop.to_json() for loop in self.loops],
            "tasks": [task.to_json() for task in self.tasks],
            "tasks_left_out": self.tasks_left_out,
            "findings": [f.to_json() for f in self.findings],
            "queues": list(self.queues),
            "pools": list(self.pools),
            "resources": list(self.resources),
            "unavailable": dict(self.unavailable),
        }


def _waits_on(obj: object) -> str:
    """A short name for what a coroutine chain ends on."""
    if isinstance(obj, asyncio.Task):
        return f"task {name_of(obj)}"
    if isinstance(obj, asyncio.Future):
        return "future"
    name = type(obj).__name__
    return "future" if name == "FutureIter" else name


def _chain(coro: object) -> tuple[list[Frame], str]:
    """The frames of a suspended coroutine and what it awaits, outermost first, and its last awaitable."""
    frames: list[Frame] = []
    last = ""
    seen = 0
    while coro is not None and seen < 64:
        seen += 1
        frame = frame_of(coro)
        if frame is not None:
            if not is_internal_file(frame.f_code.co_filename):
                frames.append(frame_data(frame))
            last = frame.f_code.co_qualname
        nxt = awaited(coro)
        if nxt is None:
            break
        if not hasattr(nxt, "cr_frame") and not hasattr(nxt, "gi_frame"):
            last = _waits_on(nxt) if last == "" else f"{last} ({_waits_on(nxt)})"
            break
        coro = nxt
    return frames[-MAX_STACK:], last


def _awaited_by(task: object) -> list[object]:
    """The tasks waiting for ``task`` to finish."""
    linked = getattr(task, "_asyncio_awaited_by", None)  # 3.14+: gather and shield count too
    if linked is not None:
        try:
            return [t for t in list(linked) if isinstance(t, asyncio.Task)]
        except Exception:
            return []
    found: list[object] = []
    try:
        callbacks = list(getattr(task, "_callbacks", None) or ())
    except Exception:
        return found
    for entry in callbacks:
        callback = entry[0] if isinstance(entry, tuple) and entry else entry
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, asyncio.Task) and owner is not task:
            found.append(owner)
    return found


class Snapshotter:
    """Takes snapshots of one doctor's loops; remembers when it first saw each task."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        self._first_seen: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def take(self) -> Snapshot:
        doctor = self.doctor
        now = time.monotonic()
        health = {h.label: h for h in loop_health(doctor, now=now)}
        frames = _thread_frames()
        loops: list[LoopView] = []
        tasks: list[TaskView] = []
        left_out = 0
        threshold = doctor.options.threshold
        states = {f"{s.name}#{s.number}": s for s in doctor.loops.snapshot()}
        for label, h in health.items():
            state = states.get(label)
            loop = state.loop_ref() if state is not None else None
            pending: list[Any] = []
            current = None
            started = _creation_times(doctor, loop)
            if loop is not None and h.running:
                try:
                    pending = list(asyncio.all_tasks(loop))
                except Exception as exc:
                    doctor.internal_error("snapshot: tasks", exc)
                try:
                    current = asyncio.current_task(loop)
                except Exception:
                    current = None
            blocked_for, blocked_at = (None, None)
            if state is not None and h.running:
                blocked_for, blocked_at = _blocked(state, now, threshold, frames)
            loops.append(LoopView(
                health=h,
                tasks=len(pending) if loop is not None and h.running else None,
                current_task=name_of(current) if current is not None else None,
                blocked_for=blocked_for,
                blocked_at=blocked_at,
            ))
            for task in pending:
                if len(tasks) >= MAX_TASKS:
                    left_out += 1
                    continue
                running_in = frames.get(state.thread_id) if state is not None and task is current else None
                tasks.append(self._view(task, label, current, now, running_in, started))
        findings = doctor.findings_since(max(0, doctor.mark() - MAX_FINDINGS * 4))[-MAX_FINDINGS:]
        tasks.sort(key=lambda t: (t.state != "running", -(t.age or 0.0), t.name))
        return Snapshot(
            pid=os.getpid(),
            python=sys.version.split()[0],
            taken_at=time.time(),
            threshold=threshold,
            loops=tuple(loops),
            tasks=tuple(tasks),
            tasks_left_out=left_out,
            findings=tuple(findings),
            unavailable=doctor.unavailable_list(),
            queues=tuple(asdict(q) for q in _read(doctor, doctor.queues)),
            pools=tuple(asdict(p) for p in _read(doctor, doctor.pools)),
            resources=tuple(asdict(r) for r in _read(doctor, doctor.resources)),
        )

    def _view(self, task: Any, label: str, current: object, now: float,
              thread_frame: FrameType | None, started: dict[int, Any] | None) -> TaskView:
        coro = coro_of(task)
        stack, waits = _chain(coro)
        if task is current:
            # A running coroutine awaits nothing yet: its stack is the loop thread's,
            # from the task's coroutine inward.
            waits = "running"
            if thread_frame is not None:
                stack = _running_stack(thread_frame, getattr(coro, "cr_frame", None)) or stack
        created = self.doctor.tasks.sites.frame(getattr(task, "_asyncdoctor_site", None))
        entry = started.get(id(task)) if started is not None else None
        exact = entry is not None
        if entry is not None:
            first = float(entry[1])  # when the task-stats factory saw it created
        else:
            with self._lock:
                try:
                    first = self._first_seen.setdefault(task, now)
                except TypeError:  # a task type without weak references
                    first = now
        return TaskView(
            id=id(task),
            name=name_of(task),
            coroutine=getattr(coro, "__qualname__", type(coro).__name__ if coro is not None else "?"),
            loop=label,
            state="running" if task is current else "pending",
            age=max(0.0, now - first),
            age_exact=exact,
            stack=tuple(stack),
            waits_on=waits,
            awaited_by=tuple(id(t) for t in _awaited_by(task)),
            created_at=created,
        )


def _read(doctor: Doctor, figures: Callable[[], list[Any]]) -> list[Any]:
    try:
        return figures()
    except Exception as exc:
        doctor.internal_error("snapshot: queues and pools", exc)
        return []


def _creation_times(doctor: Doctor, loop: object) -> dict[int, Any] | None:
    """When each task of ``loop`` was created (``id(task) -> (row, monotonic time)``), when the
    task-stats factory counts them (``DoctorOptions(task_stats=True)``), else ``None``."""
    stats = doctor.tasks.stats
    if stats is None or loop is None:
        return None
    table = stats.live(loop)
    return table.started if table is not None else None


def _running_stack(frame: FrameType | None, top: object) -> list[Frame]:
    """The loop thread's frames from the task's coroutine (``top``) inward, outermost first."""
    out: list[Frame] = []
    seen = 0
    while frame is not None and seen < 256:
        seen += 1
        if not is_internal_file(frame.f_code.co_filename):
            out.append(frame_data(frame))
        if frame is top:
            out.reverse()
            return out[-MAX_STACK:]
        frame = frame.f_back
    return []  # the task's coroutine is not on the thread's stack (the step has ended)


def _thread_frames() -> dict[int, FrameType]:
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    if is_enabled is not None and not is_enabled():
        return {}  # reading another thread's frames is not safe without the GIL
    return sys._current_frames()


def _blocked(state: LoopState, now: float, threshold: float,
             frames: dict[int, FrameType]) -> tuple[float | None, Frame | None]:
    """How long the loop's current step has run, when past ``threshold``, and its user line."""
    if state.marked:
        busy_since = state.batch_at if state.batch_at > state.select_at else None
    else:
        # uvloop: the heartbeat is late by as much as the loop has been busy
        due = state.due
        busy_since = due if due and now > due else None
    if busy_since is None or now - busy_since < threshold:
        return None, None
    frame = frames.get(state.thread_id)
    return now - busy_since, _innermost_user(frame)


def _innermost_user(frame: FrameType | None) -> Frame | None:
    seen = 0
    while frame is not None and seen < 256:
        seen += 1
        if is_user_frame(frame):
            return frame_data(frame)
        frame = frame.f_back
    return None


_snapshotters: weakref.WeakKeyDictionary[Doctor, Snapshotter] = weakref.WeakKeyDictionary()
_snapshotters_lock = threading.Lock()


def snapshotter_of(doctor: Doctor) -> Snapshotter:
    """The doctor's snapshotter (one per doctor: it remembers when it first saw each task)."""
    with _snapshotters_lock:
        found = _snapshotters.get(doctor)
        if found is None:
            found = _snapshotters[doctor] = Snapshotter(doctor)
        return found
