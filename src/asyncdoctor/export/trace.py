"""The timeline as a Chrome trace: a JSON file that Perfetto and ``chrome://tracing`` open.

>>> import asyncdoctor.runtime as rt                                # doctest: +SKIP
>>> doctor = rt.install(rt.DoctorOptions(timeline=True))            # doctest: +SKIP
>>> ...                                                              # the program runs
>>> from asyncdoctor.export.trace import write_trace                 # doctest: +SKIP
>>> write_trace(doctor.timeline(), "trace.json")                     # doctest: +SKIP

``asyncdoctor run --trace FILE.json app.py`` writes the same when the program
ends.  Needs nothing beyond the standard library.

The file follows the Trace Event Format (the JSON object form:
``{"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}``;
timestamps and durations in microseconds).  Each loop is a *process* in the
viewer (``pid`` = the loop's number, named by ``M`` metadata events), whose
*threads* are its tracks:

* ``busy``: the loop's busy stretches (``X`` complete events);
* ``slow steps``: the steps the watchdog measured, at their line, with their
  task and stack in ``args``; those that reached the threshold are in the
  ``blocking`` category, and also marked with an ``i`` instant event;
* ``running task (sampled)``: which task the sampler saw running;
* one track per task: its lifetime as sampled (an ``X`` event whose ``args``
  give its coroutine, where it was created, what it awaits and where it was
  suspended), with its sampled runs inside;
* ``lag``: a counter (``C`` events) of how late the heartbeat ran, in ms.

Sampled tracks say so in their names.  Events on one track never overlap
partly: viewers nest complete events by time and misdraw partial overlaps, so
an estimated bound that would cross its neighbour is clipped to it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime._models import Frame
    from ..runtime._timeline import LoopTimeline, TaskLane, Timeline

__all__ = ["to_trace_events", "write_trace"]

# Track (thread) ids inside a loop's process; tasks follow.
_BUSY, _STEPS, _RUNNING = 1, 2, 3
_TASK_BASE = 100


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 3)


def _place(frame: Frame | None) -> str | None:
    return None if frame is None else f"{frame.path}:{frame.line} in {frame.function}"


def _short(frame: Frame | None) -> str:
    if frame is None:
        return "?"
    return f"{frame.path.rsplit('/', 1)[-1]}:{frame.line}"


def _meta(name: str, pid: int, tid: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "ph": "M", "pid": pid, "tid": tid, "args": args}


class _Track:
    """Complete events on one track, clipped so that none overlaps the one before it."""

    def __init__(self, events: list[dict[str, Any]], pid: int, tid: int) -> None:
        self.events = events
        self.pid = pid
        self.tid = tid
        self.end = float("-inf")

    def add(self, name: str, cat: str, start: float, end: float, args: dict[str, Any]) -> None:
        start = max(start, self.end)
        if end <= start:
            return
        self.end = end
        self.events.append({
            "name": name, "cat": cat, "ph": "X", "ts": _us(start), "dur": _us(end - start),
            "pid": self.pid, "tid": self.tid, "args": args,
        })  # fmt: skip


def _loop_events(loop: LoopTimeline, timeline: Timeline, events: list[dict[str, Any]]) -> None:
    pid = loop.number
    sampled = f"sampled every {timeline.sample_interval * 1000:g} ms"
    exact = loop.busy_method == "poll"
    thread = f", thread {loop.thread}" if loop.thread else ""
    events.append(_meta("process_name", pid, 0, {"name": f"loop {loop.label}{thread}"}))
    events.append(_meta("process_sort_index", pid, 0, {"sort_index": pid}))
    tracks = [
        (_BUSY, "busy" if exact else "busy (late heartbeats: a lower bound)"),
        (_STEPS, "slow steps"),
        (_RUNNING, f"running task ({sampled})"),
    ]
    for tid, name in tracks:
        events.append(_meta("thread_name", pid, tid, {"name": name}))
        events.append(_meta("thread_sort_index", pid, tid, {"sort_index": tid}))

    busy = _Track(events, pid, _BUSY)
    for span in loop.busy:
        length = span.end - span.start
        busy.add("busy", "loop", span.start, span.end, {
            "idle_ms": round(span.idle * 1000, 3),
            "utilization": round(1 - span.idle / length, 4) if length > 0 else None,
            "method": loop.busy_method,
        })  # fmt: skip

    steps = _Track(events, pid, _STEPS)
    for step in loop.slow_steps:
        where = _short(step.location)
        name = f"{'blocked' if step.blocking else 'slow step'} {step.duration * 1000:.0f} ms at {where}"
        args: dict[str, Any] = {
            "duration_ms": round(step.duration * 1000, 3),
            "location": _place(step.location),
            "source": step.source or None,
            "line_seen": step.line_seen,
            "task": step.task,
            "coroutine": step.coroutine,
            "stack": [_place(frame) for frame in step.stack],
        }
        steps.add(name, "blocking" if step.blocking else "slow-step", step.start,
                  step.start + step.duration, args)  # fmt: skip
        if step.blocking:
            events.append({
                "name": f"blocking-call {where}", "cat": "blocking", "ph": "i", "s": "t",
                "ts": _us(step.start), "pid": pid, "tid": _STEPS,
                "args": {"duration_ms": round(step.duration * 1000, 3)},
            })  # fmt: skip

    names = {lane.id: f"{lane.name} {lane.coroutine}()" for lane in loop.tasks}
    running = _Track(events, pid, _RUNNING)
    for run in loop.runs:
        running.add(names.get(run.task_id, "?"), "task.running", run.start, run.end,
                    {"samples": run.samples, "sampled": sampled})  # fmt: skip

    for index, lane in enumerate(loop.tasks):
        tid = _TASK_BASE + index
        events.append(_meta("thread_name", pid, tid, {"name": f"{names[lane.id]} (sampled)"}))
        events.append(_meta("thread_sort_index", pid, tid, {"sort_index": tid}))
        _task_events(lane, names, events, pid, tid, sampled, timeline)

    for point in loop.lag:
        events.append({
            "name": "lag (ms)", "cat": "lag", "ph": "C", "ts": _us(point.t), "pid": pid,
            "tid": 0, "args": {"lag": round(max(point.lag, 0.0) * 1000, 3)},
        })  # fmt: skip


def _task_events(lane: TaskLane, names: dict[int, str], events: list[dict[str, Any]], pid: int,
                 tid: int, sampled: str, timeline: Timeline) -> None:  # fmt: skip
    start = lane.first_seen
    end = max(lane.last_seen, start + timeline.sample_interval)
    args = {
        "coroutine": lane.coroutine,
        "defined_at": _place(lane.defined_at),
        "created_at": _place(lane.created_at),
        "created_how": lane.created_how or "unknown",
        "awaits": [names.get(other, f"task #{other}") for other in lane.awaits],
        "suspended_at": [_place(frame) for frame in lane.suspended_at],
        "pending_at_end": lane.pending_at_end,
        "task_samples": lane.samples,
        "lifetime": f"as sampled: pending tasks at most every "
        f"{timeline.task_sample_floor * 1000:g} ms, running task {sampled}",
    }
    outer = _Track(events, pid, tid)
    outer.add(names[lane.id], "task", start, end, args)
    inner = _Track(events, pid, tid)
    for run in lane.running:
        inner.add("running", "task.running", max(run.start, start), min(run.end, end),
                  {"samples": run.samples})  # fmt: skip


def to_trace_events(timeline: Timeline) -> dict[str, Any]:
    """The timeline as a Trace Event Format object (``json.dumps`` it, or use :func:`write_trace`)."""
    events: list[dict[str, Any]] = []
    for loop in timeline.loops:
        _loop_events(loop, timeline, events)
    import datetime

    started = datetime.datetime.fromtimestamp(timeline.started_wall, datetime.UTC)
    return {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "tool": "asyncdoctor",
            "program": timeline.program,
            "pid": str(timeline.pid),
            "clock": "seconds since the recorder began (monotonic), in microseconds",
            "recorder_started_utc": started.isoformat(timespec="milliseconds"),
            "window_s": f"{timeline.start:.3f}-{timeline.end:.3f}",
            "threshold_ms": f"{timeline.threshold * 1000:g}",
            "dropped": "; ".join(f"{what}: {n}" for what, n in timeline.dropped) or "nothing",
        },
    }


def write_trace(timeline: Timeline, path: str) -> None:
    """Write ``timeline`` to ``path`` as a Chrome trace (JSON)."""
    text = json.dumps(to_trace_events(timeline), ensure_ascii=False, separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
        file.write("\n")
