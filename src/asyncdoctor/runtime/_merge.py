"""One report for a program and the worker processes it started.

``asyncdoctor run`` follows the program's child processes (:mod:`._follow`);
each worker writes its :class:`RuntimeReport` as JSON to the run folder when
it ends.  :func:`merge_run` reads them back and merges them into the
program's own report:

* findings of the same kind at the same location are one finding, wherever
  they happened: counts and blocked time are summed, ``max_ms`` is the
  longest of all, and ``extra["processes"]`` says in how many processes it
  happened (when more than one);
* loop figures: loops and tasks are summed (``None``, unknown, when any
  process could not count them), the lag percentiles and maximum are the
  worst process's (percentiles of different processes cannot be combined
  exactly; the worst one is what a user needs to see), the slowest steps are
  the five slowest of all;
* :class:`Processes` says how many processes the report covers, and which
  followed children never reported (killed by ``SIGKILL``, ended by
  ``os._exit`` outside ``multiprocessing``) or were still running: the report
  says so rather than pretend it saw them.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from ._models import Frame, LoopMetrics, RuntimeFinding, RuntimeReport
from ._options import KINDS
from ._record import Record

if TYPE_CHECKING:
    from ._follow import Follower

__all__ = ["Processes", "merge", "merge_run", "report_from_json"]


class Processes(Record):
    """The processes one report covers.

    ``watched`` counts the processes whose findings are in the report (the
    program's own included); ``workers``, ``missing`` and ``running`` are the
    process ids of the followed children that reported, that ended without a
    report, and that were still running when the report was made.
    """

    __slots__ = ("missing", "running", "watched", "workers")
    watched: int
    workers: tuple[int, ...]
    missing: tuple[int, ...]
    running: tuple[int, ...]

    def __init__(
        self,
        watched: int,
        workers: tuple[int, ...] = (),
        missing: tuple[int, ...] = (),
        running: tuple[int, ...] = (),
    ) -> None:
        self._init(watched=watched, workers=workers, missing=missing, running=running)

    def to_json(self) -> dict[str, object]:
        return {
            "watched": self.watched,
            "workers": list(self.workers),
            "did_not_report": list(self.missing),
            "still_running": list(self.running),
        }

    def summary(self) -> str:
        """One line: ``asyncdoctor: 3 processes watched (the program and 2 workers); ...``."""
        workers = len(self.workers)
        line = (
            f"asyncdoctor: {self.watched} process{'es' if self.watched != 1 else ''} watched "
            f"(the program and {workers} worker{'s' if workers != 1 else ''})"
        )
        if self.missing:
            n = len(self.missing)
            line += (
                f"; {n} worker{'s' if n != 1 else ''} did not report (killed, or ended by "
                f"os._exit): pid {', '.join(map(str, self.missing))}"
            )
        if self.running:
            n = len(self.running)
            line += (
                f"; {n} {'was' if n == 1 else 'were'} still running: "
                f"pid {', '.join(map(str, self.running))}"
            )
        return line


# -- reading a report back -----------------------------------------------------------------


def _frame(data: Any) -> Frame | None:
    if not isinstance(data, dict):
        return None
    return Frame(str(data["path"]), int(data["line"]), str(data["function"]))


def _finding(data: dict[str, Any]) -> RuntimeFinding:
    location = _frame(data["location"])
    if location is None:
        raise ValueError("a finding without a location")
    duration = data.get("duration")
    extra = data.get("extra") or {}
    fields: dict[str, Any] = {}
    context = data.get("context")
    if isinstance(context, dict) and "context" in RuntimeFinding.__slots__:
        # the request behind it (correlation IDs): the pairs that are known, as to_json() wrote them
        fields["context"] = tuple((str(k), str(v)) for k, v in context.items() if v is not None)
    return RuntimeFinding(
        kind=str(data["kind"]),
        message=str(data["message"]),
        location=location,
        stack=tuple(f for f in map(_frame, data.get("stack") or ()) if f is not None),
        count=int(data.get("count", 1)),
        duration=None if duration is None else float(duration),
        created_at=_frame(data.get("created_at")),
        extra=tuple((str(k), str(v)) for k, v in extra.items()),
        suspended_at=_frame(data.get("suspended_at")),
        **fields,
    )


def _metrics(data: dict[str, Any]) -> LoopMetrics:
    def optional(name: str) -> int | None:
        value = data.get(name)
        return None if value is None else int(value)

    return LoopMetrics(
        loops_seen=int(data.get("loops_seen", 0)),
        tasks_created=optional("tasks_created"),
        tasks_peak_alive=optional("tasks_peak_alive"),
        lag_p50_ms=float(data.get("lag_p50_ms", 0.0)),
        lag_p90_ms=float(data.get("lag_p90_ms", 0.0)),
        lag_p99_ms=float(data.get("lag_p99_ms", 0.0)),
        lag_max_ms=float(data.get("lag_max_ms", 0.0)),
        slowest_steps=tuple(
            (str(s["step"]), float(s["ms"])) for s in data.get("slowest_steps") or ()
        ),
    )


def report_from_json(data: dict[str, Any]) -> RuntimeReport:
    """The :class:`RuntimeReport` that ``to_json()`` wrote (fields this version does not know are left out)."""
    return RuntimeReport(
        findings=tuple(_finding(f) for f in data.get("findings") or ()),
        metrics=_metrics(data.get("metrics") or {}),
        unavailable=tuple((str(u["what"]), str(u["why"])) for u in data.get("unavailable") or ()),
    )


# -- merging ----------------------------------------------------------------------------------


def _max_ms(finding: RuntimeFinding) -> float:
    """The longest single block of a (grouped) blocking finding, in ms; 0 when not a block."""
    value = dict(finding.extra).get("max_ms")
    if value is not None:
        try:
            return float(value)
        except ValueError:
            pass
    return (finding.duration or 0.0) * 1000 if finding.count == 1 else 0.0


def _combine(members: list[tuple[int, RuntimeFinding]]) -> RuntimeFinding:
    first = members[0][1]
    if len(members) == 1:
        return first
    findings = [finding for _pid, finding in members]
    durations = [f.duration for f in findings if f.duration is not None]
    longest = max(findings, key=_max_ms)
    extra = dict(first.extra)
    if durations:
        extra["max_ms"] = f"{_max_ms(longest):.1f}"
    processes = len({pid for pid, _f in members})
    if processes > 1:
        extra["processes"] = str(processes)
    return first.replace(
        message=longest.message,
        stack=longest.stack,
        count=sum(f.count for f in findings),
        duration=sum(durations) if durations else None,
        extra=tuple(extra.items()),
    )


def _sum(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _merge_metrics(all_metrics: list[LoopMetrics]) -> LoopMetrics:
    peaks = [m.tasks_peak_alive for m in all_metrics if m.tasks_peak_alive is not None]
    steps = sorted((step for m in all_metrics for step in m.slowest_steps), key=lambda s: -s[1])
    return LoopMetrics(
        loops_seen=sum(m.loops_seen for m in all_metrics),
        tasks_created=_sum([m.tasks_created for m in all_metrics]),
        tasks_peak_alive=max(peaks) if peaks else None,
        lag_p50_ms=max(m.lag_p50_ms for m in all_metrics),
        lag_p90_ms=max(m.lag_p90_ms for m in all_metrics),
        lag_p99_ms=max(m.lag_p99_ms for m in all_metrics),
        lag_max_ms=max(m.lag_max_ms for m in all_metrics),
        slowest_steps=tuple(steps[:5]),
    )


def merge(own: RuntimeReport, workers: list[tuple[int, RuntimeReport]], pid: int | None = None) -> RuntimeReport:
    """``own`` (the report of process ``pid``) and the ``workers``' reports, as one report."""
    parts = [(os.getpid() if pid is None else pid, own), *workers]
    groups: dict[tuple[str, Frame], list[tuple[int, RuntimeFinding]]] = {}
    for process, report in parts:
        for finding in report.findings:
            groups.setdefault((finding.kind, finding.location), []).append((process, finding))
    findings = [_combine(members) for members in groups.values()]
    order = {kind: index for index, kind in enumerate(KINDS)}
    findings.sort(key=lambda f: order.get(f.kind, len(order)))
    unavailable: dict[tuple[str, str], None] = {}
    for _process, report in parts:
        unavailable.update(dict.fromkeys(report.unavailable))
    return RuntimeReport(
        findings=tuple(findings),
        metrics=_merge_metrics([report.metrics for _process, report in parts]),
        unavailable=tuple(unavailable),
    )


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            state = file.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in (b"Z", b"X")


def merge_run(own: RuntimeReport, follower: Follower) -> tuple[RuntimeReport, Processes]:
    """The program's report merged with its workers' (read from the run folder), and who reported."""
    started, reported = follower.worker_reports()
    workers: list[tuple[int, RuntimeReport]] = []
    for pid, path in sorted(reported.items()):
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
            workers.append((pid, report_from_json(data["report"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # unreadable: counted below as a worker that did not report
    done = {pid for pid, _report in workers}
    silent = sorted(pid for pid in started if pid not in done)
    running = tuple(pid for pid in silent if _running(pid))
    missing = tuple(pid for pid in silent if pid not in running)
    processes = Processes(
        watched=1 + len(workers),
        workers=tuple(sorted(done)),
        missing=missing,
        running=running,
    )
    return merge(own, workers, follower.pid), processes
