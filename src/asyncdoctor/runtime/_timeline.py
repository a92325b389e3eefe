"""The timeline as plain records: what :class:`._recorder.Recorder` kept, read.

Built when the timeline is read (``Doctor.timeline()``, at exit for ``asyncdoctor run
--trace/--timeline``, on SIGUSR2), never while the program runs: the records below, and
the creation sites guessed from the code, cost nothing until then.  All times are
seconds since the recorder began; see :mod:`._recorder` for what is exact and what is
sampled.
"""

from __future__ import annotations

import linecache
import os
import sys
import time
from dataclasses import dataclass
from types import CodeType
from typing import TYPE_CHECKING

from ._models import Frame
from ._recorder import MIN_STRETCH, TASK_SAMPLE_FLOOR

if TYPE_CHECKING:
    from ._doctor import Doctor
    from ._recorder import Recorder, _TaskRec

__all__ = [
    "BusySpan",
    "LagPoint",
    "LoopTimeline",
    "RunSpan",
    "SlowStep",
    "TaskLane",
    "Timeline",
    "build_timeline",
]


@dataclass(frozen=True)
class BusySpan:
    """A stretch of time the loop was running callbacks (seconds since the recorder began).

    ``idle`` is the time it waited inside the stretch (waits under 1 ms do not end one).
    """

    start: float
    end: float
    idle: float


@dataclass(frozen=True)
class SlowStep:
    """One step the watchdog measured: it ran ``duration`` seconds from ``start``.

    ``blocking`` when it reached the threshold (it is then a ``blocking-call``
    finding).  ``line_seen`` is False when ``location`` is not the line seen
    running: the step's coroutine (a call held the GIL) or the line that runs
    the loop (the watchdog could not look).  ``task_id`` is the
    :class:`TaskLane` of its task, if it ran in one.
    """

    start: float
    duration: float
    location: Frame | None
    source: str
    stack: tuple[Frame, ...]
    task: str | None
    task_id: int | None
    coroutine: str | None
    blocking: bool
    line_seen: bool


@dataclass(frozen=True)
class LagPoint:
    """How late the heartbeat ran (``lag`` seconds, the largest in a 10 ms bucket) at ``t``."""

    t: float
    lag: float


@dataclass(frozen=True)
class RunSpan:
    """Consecutive samples that saw the task ``task_id`` running, ``samples`` of them.

    It spans from half a sampling interval before the first to half one after the last.
    """

    start: float
    end: float
    task_id: int
    samples: int


@dataclass(frozen=True)
class TaskLane:
    """One task, as the samples saw it.

    ``first_seen``/``last_seen`` bound its lifetime as sampled (it may have begun up to
    one task sample earlier, and ended up to one later); ``pending_at_end`` when the
    last sample still saw it.  ``created_how`` is ``"recorded"`` (the task factory, exact),
    ``"guessed"`` (found in the code) or ``""`` (unknown).  ``awaits`` are the lanes of
    the tasks it was seen waiting for; ``suspended_at`` its await chain at the last
    sample, outermost first.
    """

    id: int
    name: str
    coroutine: str
    defined_at: Frame | None
    created_at: Frame | None
    created_how: str
    first_seen: float
    last_seen: float
    pending_at_end: bool
    samples: int
    running: tuple[RunSpan, ...]
    awaits: tuple[int, ...]
    suspended_at: tuple[Frame, ...]


@dataclass(frozen=True)
class LoopTimeline:
    """Everything recorded about one loop, oldest first.

    ``busy_method`` is ``"poll"`` (exact stretches from the selector) or
    ``"heartbeat"`` (stretches where the heartbeat ran late: a lower bound).
    ``runs`` is the sampled running task, all tasks together.
    """

    number: int
    label: str
    thread: str
    thread_id: int
    running: bool
    busy_method: str
    heartbeat: float
    busy: tuple[BusySpan, ...]
    slow_steps: tuple[SlowStep, ...]
    lag: tuple[LagPoint, ...]
    runs: tuple[RunSpan, ...]
    tasks: tuple[TaskLane, ...]


@dataclass(frozen=True)
class Timeline:
    """What the loops did in the window ``start``..``end`` (seconds since the recorder began).

    ``started_wall`` is the wall-clock time (``time.time()``) when the recorder began.
    ``dropped`` says what the memory caps left out, e.g. ``("slow steps", 12)``.
    """

    start: float
    end: float
    started_wall: float
    window: float
    threshold: float
    sample_interval: float
    task_sample_floor: float
    pid: int
    program: str
    loops: tuple[LoopTimeline, ...]
    dropped: tuple[tuple[str, int], ...]

    def task(self, task_id: int) -> TaskLane | None:
        """The lane of ``task_id``, on whichever loop."""
        for loop in self.loops:
            for lane in loop.tasks:
                if lane.id == task_id:
                    return lane
        return None


# -- reading the recorder ---------------------------------------------------------------


def build_timeline(recorder: Recorder) -> Timeline:
    """What the loops did in the last ``timeline_seconds``, as plain records (any thread)."""
    now = time.monotonic()
    cut = now - recorder.window
    t0 = recorder.t0
    with recorder.lock:
        busy_rows = recorder.busy.rows()
        lag_rows = recorder.lag.rows()
        runs = list(recorder.runs)
        for rec in recorder.loops.values():
            if rec.run is not None:
                run = rec.run
                runs.append((rec.number, run[0], run[1], run[2], run[3]))
        slow = list(recorder.slow)
        records = list(recorder.tasks.values())
        loops = sorted(recorder.loops.values(), key=lambda r: r.number)
        dropped = [
            ("busy stretches", recorder.busy.overwritten),
            ("lag points", recorder.lag.overwritten),
            ("running-task samples", max(0, recorder.runs_total - len(recorder.runs))),
            ("slow steps", max(0, recorder.slow_total - len(recorder.slow))),
            ("task sightings not recorded (table full)", recorder.tasks_unrecorded),
        ]
    half = recorder.interval / 2
    lanes = _Lanes(t0, recorder.doctor)
    out: list[LoopTimeline] = []
    for rec in loops:
        number = rec.number
        state = rec.state_ref()
        busy = [
            BusySpan(start - t0, end - t0, idle)
            for n, start, end, idle in busy_rows
            if n == number and end >= cut
        ]
        if rec.running and state is not None and state.marked and state.batch_at >= state.select_at:
            idle = max(0.0, state.idle_total - rec.stretch_idle)
            if now - rec.stretch_at >= MIN_STRETCH:
                busy.append(BusySpan(rec.stretch_at - t0, now - t0, idle))
        late = rec.late
        if late is not None and late[1] >= cut:
            busy.append(BusySpan(late[0] - t0, late[1] - t0, 0.0))
        if not rec.marked:
            busy = _merge_touching(busy, (state.interval if state is not None else 0.002) * 1.5)
        for record in records:
            if record.loop == number and record.last >= cut:
                lanes.add_record(record)
        loop_runs: list[RunSpan] = []
        for n, first, last, samples, key in runs:
            if n != number or last < cut:
                continue
            lane = lanes.for_key((key[0], key[1]), key[2], number, first)
            span = RunSpan(first - half - t0, last + half - t0, lane, samples)
            loop_runs.append(span)
            lanes.add_run(lane, span)
        steps: list[SlowStep] = []
        for n, start, duration, location, stack, key, coroutine, unseen in slow:
            if n != number or start + duration < cut:
                continue
            lane_id = None
            if key is not None:
                lane_id = lanes.for_key(key, coroutine or "?", number, start)
                lanes.add_step(lane_id, start - t0, start + duration - t0)
            source = ""
            if location is not None and unseen != "lost":
                source = linecache.getline(location.path, location.line).strip()
            steps.append(
                SlowStep(
                    start=start - t0,
                    duration=duration,
                    location=location,
                    source=source,
                    stack=stack,
                    task=key[1] if key is not None else None,
                    task_id=lane_id,
                    coroutine=coroutine,
                    blocking=duration >= recorder.threshold,
                    line_seen=unseen == "",
                )
            )
        lag = [LagPoint(t - t0, lag) for n, t, lag in lag_rows if n == number and t >= cut]
        loop_runs.sort(key=lambda r: r.start)
        steps.sort(key=lambda s: s.start)
        out.append(
            LoopTimeline(
                number=number,
                label=rec.label,
                thread=rec.thread,
                thread_id=rec.thread_id,
                running=rec.running and state is not None and state.running,
                busy_method="poll" if rec.marked else "heartbeat",
                heartbeat=state.interval if state is not None else 0.0,
                busy=tuple(busy),
                slow_steps=tuple(steps),
                lag=tuple(lag),
                runs=tuple(loop_runs),
                tasks=lanes.of_loop(number, previous_sample=rec.task_prev),
            )
        )
    return Timeline(
        start=max(0.0, cut - t0),
        end=now - t0,
        started_wall=recorder.wall0,
        window=recorder.window,
        threshold=recorder.threshold,
        sample_interval=recorder.interval,
        task_sample_floor=TASK_SAMPLE_FLOOR,
        pid=os.getpid(),
        program=" ".join(sys.argv) if sys.argv else "",
        loops=tuple(out),
        dropped=tuple((what, n) for what, n in dropped if n),
    )


def _merge_touching(spans: list[BusySpan], gap: float) -> list[BusySpan]:
    """Heartbeat stretches of consecutive late beats (closer than ``gap``) as one."""
    merged: list[BusySpan] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start - merged[-1].end <= gap:
            last = merged[-1]
            merged[-1] = BusySpan(last.start, max(last.end, span.end), last.idle)
        else:
            merged.append(span)
    return merged


class _Lanes:
    """Builds the task lanes of a timeline: one per task, from its record or its runs."""

    def __init__(self, t0: float, doctor: Doctor) -> None:
        self.t0 = t0
        self.doctor = doctor
        self.next_id = 1
        self.by_key: dict[tuple[int, str], int] = {}
        self.loop_of: dict[int, int] = {}
        self.records: dict[int, _TaskRec] = {}
        self.bare: dict[int, tuple[str, str, float, float]] = {}  # seen running only
        self.runs: dict[int, list[RunSpan]] = {}
        self.steps: dict[int, tuple[float, float]] = {}  # the bounds of each lane's slow steps
        self._guesses: dict[int, Frame | None] = {}

    def add_record(self, record: _TaskRec) -> None:
        key = (record.task_id, record.name)
        lane = self.next_id
        self.next_id += 1
        self.by_key[key] = lane
        self.loop_of[lane] = record.loop
        self.records[lane] = record

    def for_key(self, key: tuple[int, str], coroutine: str, loop: int, at: float) -> int:
        lane = self.by_key.get(key)
        if lane is None:
            lane = self.next_id
            self.next_id += 1
            self.by_key[key] = lane
            self.loop_of[lane] = loop
            self.bare[lane] = (key[1], coroutine, at, at)
        elif lane in self.bare:
            name, coro, first, last = self.bare[lane]
            self.bare[lane] = (name, coro, min(first, at), max(last, at))
        return lane

    def add_run(self, lane: int, span: RunSpan) -> None:
        self.runs.setdefault(lane, []).append(span)

    def add_step(self, lane: int, start: float, end: float) -> None:
        """A slow step ran in the task of ``lane``: it was alive then (times since t0)."""
        first, last = self.steps.get(lane, (start, end))
        self.steps[lane] = (min(first, start), max(last, end))

    def _guess(self, code: CodeType | None) -> Frame | None:
        if code is None:
            return None
        key = id(code)
        if key not in self._guesses:
            try:
                from ._codesearch import guess_task_creation

                self._guesses[key] = guess_task_creation(None, code)
            except Exception:
                self._guesses[key] = None
        return self._guesses[key]

    def of_loop(self, loop: int, *, previous_sample: float) -> tuple[TaskLane, ...]:
        t0 = self.t0
        lanes: list[TaskLane] = []
        for lane, owner in self.loop_of.items():
            if owner != loop:
                continue
            runs = tuple(sorted(self.runs.get(lane, ()), key=lambda r: r.start))
            record = self.records.get(lane)
            steps = self.steps.get(lane)
            if record is not None:
                first, last = record.first - t0, record.last - t0
                if runs:
                    first, last = min(first, runs[0].start), max(last, runs[-1].end)
                if steps is not None:
                    first, last = min(first, steps[0]), max(last, steps[1])
                created, how = record.site, "recorded" if record.site is not None else ""
                if created is None:
                    created = self._guess(record.code)
                    how = "guessed" if created is not None else ""
                code = record.code
                defined = (
                    Frame(code.co_filename, code.co_firstlineno, code.co_name)
                    if code is not None
                    else None
                )
                awaits = tuple(
                    self.by_key[key] for key in record.awaits if key in self.by_key
                )
                lanes.append(
                    TaskLane(
                        id=lane,
                        name=record.name,
                        coroutine=record.coroutine,
                        defined_at=defined,
                        created_at=created,
                        created_how=how,
                        first_seen=first,
                        last_seen=last,
                        pending_at_end=record.last == previous_sample,
                        samples=record.samples,
                        running=runs,
                        awaits=awaits,
                        suspended_at=record.chain,
                    )
                )
            else:
                name, coro, first_at, last_at = self.bare[lane]
                first = runs[0].start if runs else first_at - t0
                last = runs[-1].end if runs else last_at - t0
                if steps is not None:
                    first, last = min(first, steps[0]), max(last, steps[1])
                lanes.append(
                    TaskLane(
                        id=lane,
                        name=name,
                        coroutine=coro,
                        defined_at=None,
                        created_at=None,
                        created_how="",
                        first_seen=first,
                        last_seen=last,
                        pending_at_end=False,
                        samples=0,
                        running=runs,
                        awaits=(),
                        suspended_at=(),
                    )
                )
        lanes.sort(key=lambda lane: (lane.first_seen, lane.id))
        return tuple(lanes)
