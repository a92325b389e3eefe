"""Plain data returned by the runtime doctor.

The command line, the JSON report and the pytest plugin only render these
read-only records: :class:`RuntimeReport` holds the grouped
:class:`RuntimeFinding` objects and the loop health figures
(:class:`LoopMetrics`).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ._record import Record

__all__ = [
    "Frame",
    "LoopMetrics",
    "RuntimeFinding",
    "RuntimeReport",
    "context_label",
    "finding_lines",
]


class Frame(Record):
    """One frame of a stack: the file, the 1-based line and the function name."""

    __slots__ = ("function", "line", "path")
    path: str
    line: int
    function: str

    def __init__(self, path: str, line: int, function: str) -> None:
        self._init(path=path, line=line, function=function)

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "function": self.function}

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class RuntimeFinding(Record):
    """One problem seen while the program ran (repeats at one place grouped).

    ``location`` is the innermost frame of *user* code responsible (not
    asyncio, the standard library, site-packages or asyncdoctor itself);
    ``stack`` is outermost first.  ``created_at`` is where the object (task,
    coroutine, resource) was made, when known; ``suspended_at`` is where a
    pending task was waiting.  For ``blocking-call`` findings
    ``duration`` is the total time the loop was blocked by the group, and
    ``extra`` holds ``max_ms``.  ``context`` is the request the finding
    belongs to, as ``(("correlation_id", ...), ("route", ...))`` (each pair
    only when known), read from the task behind it when the program keeps a
    correlation ID (see :mod:`asyncdoctor.context`); ``None`` otherwise.
    """

    __slots__ = (
        "context",
        "count",
        "created_at",
        "duration",
        "extra",
        "kind",
        "location",
        "message",
        "stack",
        "suspended_at",
    )
    kind: str
    message: str
    location: Frame
    stack: tuple[Frame, ...]
    count: int
    duration: float | None
    created_at: Frame | None
    extra: tuple[tuple[str, str], ...]
    suspended_at: Frame | None
    context: tuple[tuple[str, str], ...] | None

    def __init__(
        self,
        kind: str,
        message: str,
        location: Frame,
        stack: tuple[Frame, ...],
        count: int = 1,
        duration: float | None = None,
        created_at: Frame | None = None,
        extra: tuple[tuple[str, str], ...] = (),
        suspended_at: Frame | None = None,
        context: tuple[tuple[str, str], ...] | None = None,
    ) -> None:
        self._init(
            kind=kind,
            message=message,
            location=location,
            stack=stack,
            count=count,
            duration=duration,
            created_at=created_at,
            extra=extra,
            suspended_at=suspended_at,
            context=context,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "message": self.message,
            "location": self.location.to_json(),
            "stack": [frame.to_json() for frame in self.stack],
            "count": self.count,
            "duration": self.duration,
            "created_at": None if self.created_at is None else self.created_at.to_json(),
            "suspended_at": None if self.suspended_at is None else self.suspended_at.to_json(),
            "extra": dict(self.extra),
            "context": None if self.context is None else _context_json(self.context),
        }


def _context_json(context: tuple[tuple[str, str], ...]) -> dict[str, str | None]:
    values: dict[str, str | None] = {"correlation_id": None, "route": None}
    values.update(context)
    return values


def context_label(finding: RuntimeFinding) -> str:
    """The request of a finding, for a text line: ``[request abc123, GET /items/{id}]``
    (``and 2 others`` when a group of findings spans several requests); ``""`` when
    unknown.  Characters that are not printable are escaped."""
    if not finding.context:
        return ""
    values = dict(finding.context)
    parts: list[str] = []
    cid = values.get("correlation_id")
    if cid:
        count = dict(finding.extra).get("requests", "")
        others = int(count) - 1 if count.isdigit() else 0
        more = f" and {others} other{'s' if others != 1 else ''}" if others > 0 else ""
        parts.append(f"request {cid}{more}")
    route = values.get("route")
    if route:
        parts.append(route)
    text = ", ".join(parts)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return f" [{text}]" if text else ""


class LoopMetrics(Record):
    """Loop health figures collected over the whole run.

    Lag is how late the doctor's heartbeat ran on its loop (all loops
    together); ``slowest_steps`` are the longest loop steps seen, as
    ``("path:line function", milliseconds)``, slowest first.
    ``tasks_created`` is ``None`` where tasks cannot be counted and
    ``tasks_peak_alive`` (the most tasks pending on one loop at once, sampled)
    is ``None`` when no loop was sampled: unknown, not zero.
    """

    __slots__ = (
        "lag_max_ms",
        "lag_p50_ms",
        "lag_p90_ms",
        "lag_p99_ms",
        "loops_seen",
        "slowest_steps",
        "tasks_created",
        "tasks_peak_alive",
    )
    loops_seen: int
    tasks_created: int | None
    tasks_peak_alive: int | None
    lag_p50_ms: float
    lag_p90_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    slowest_steps: tuple[tuple[str, float], ...]

    def __init__(
        self,
        loops_seen: int,
        tasks_created: int | None,
        tasks_peak_alive: int | None,
        lag_p50_ms: float,
        lag_p90_ms: float,
        lag_p99_ms: float,
        lag_max_ms: float,
        slowest_steps: tuple[tuple[str, float], ...],
    ) -> None:
        self._init(
            loops_seen=loops_seen,
            tasks_created=tasks_created,
            tasks_peak_alive=tasks_peak_alive,
            lag_p50_ms=lag_p50_ms,
            lag_p90_ms=lag_p90_ms,
            lag_p99_ms=lag_p99_ms,
            lag_max_ms=lag_max_ms,
            slowest_steps=slowest_steps,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "loops_seen": self.loops_seen,
            "tasks_created": self.tasks_created,
            "tasks_peak_alive": self.tasks_peak_alive,
            "lag_p50_ms": self.lag_p50_ms,
            "lag_p90_ms": self.lag_p90_ms,
            "lag_p99_ms": self.lag_p99_ms,
            "lag_max_ms": self.lag_max_ms,
            "slowest_steps": [{"step": step, "ms": ms} for step, ms in self.slowest_steps],
        }

    def summary(self) -> str:
        """One line: lag percentiles and task counts (``unknown`` where not measured)."""
        created = "unknown" if self.tasks_created is None else f"{self.tasks_created}"
        peak = "unknown" if self.tasks_peak_alive is None else f"{self.tasks_peak_alive}"
        return (
            f"loop lag p50 {self.lag_p50_ms:.1f} ms, p99 {self.lag_p99_ms:.1f} ms, "
            f"max {self.lag_max_ms:.1f} ms; tasks created: {created}, "
            f"most pending at once: {peak}"
        )


_COLORS = {
    "blocking-call": "\x1b[31m",
    "never-awaited": "\x1b[35m",
    "unretrieved-exception": "\x1b[31m",
    "unclosed-resource": "\x1b[33m",
    "pending-task": "\x1b[33m",
}
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def _display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies inside it."""
    if not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith(os.pardir) else rel


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


class RuntimeReport(Record):
    """Everything the doctor saw: grouped findings and loop metrics."""

    __slots__ = ("findings", "metrics", "unavailable")
    findings: tuple[RuntimeFinding, ...]
    metrics: LoopMetrics
    unavailable: tuple[tuple[str, str], ...]  # what could not be watched here, and why

    def __init__(
        self,
        findings: tuple[RuntimeFinding, ...],
        metrics: LoopMetrics,
        unavailable: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._init(findings=findings, metrics=metrics, unavailable=unavailable)

    def to_json(self) -> dict[str, object]:
        """The machine-readable report (what ``--report FILE.json`` writes)."""
        return {
            "findings": [finding.to_json() for finding in self.findings],
            "metrics": self.metrics.to_json(),
            "unavailable": [{"what": what, "why": why} for what, why in self.unavailable],
        }

    def render_text(self, *, color: bool = False) -> str:
        """A short human summary, one line per finding; ``""`` when there is nothing to say.

        The first line counts the findings as the JSON report does (repeats
        at one place are one finding, shown ``(x3, ...)``).  Each line reads
        ``path:line: kind message (x3, 1.23 s total)``, with the creation site
        (and where a pending task was suspended) on indented lines below.
        What the doctor could not watch on this Python follows, even when it
        found nothing: silence must not read as "all clear".
        """
        if not self.findings and not self.unavailable:
            return ""

        def paint(text: str, code: str) -> str:
            return f"{code}{text}{_RESET}" if color else text

        lines: list[str] = []
        if self.findings:
            counts: dict[str, int] = {}
            for finding in self.findings:
                counts[finding.kind] = counts.get(finding.kind, 0) + 1
            total = len(self.findings)
            summary = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
            lines.append(
                paint(f"asyncdoctor: {total} runtime finding{'s' if total != 1 else ''}", _BOLD)
                + f" ({summary})"
            )
        for finding in self.findings:
            lines.extend(finding_lines(finding, _display_path, paint))
        metrics = self.metrics
        if self.findings and metrics.loops_seen:
            lines.append(paint(metrics.summary(), _DIM))
        for what, why in self.unavailable:
            lines.append(paint(f"asyncdoctor: {what} not available on this Python: {why}", _DIM))
        return "\n".join(lines)


def finding_lines(
    finding: RuntimeFinding,
    relative: Callable[[str], str],
    paint: Callable[[str, str], str] = lambda text, _code: text,
) -> list[str]:
    """The lines that show one finding: ``path:line: kind message (details) [request]``, then its
    creation site and, for a pending task, where it was suspended (paths through
    ``relative``).  The runtime summary and the pytest plugin both use it."""
    location = finding.location
    details: list[str] = []
    if finding.count > 1:
        details.append(f"x{finding.count}")
    if finding.duration is not None:
        details.append(
            f"{_seconds(finding.duration)} total" if finding.count > 1 else _seconds(finding.duration)
        )
    tail = f" ({', '.join(details)})" if details else ""
    where = f"{relative(location.path)}:{location.line}:"
    kind = paint(finding.kind, _COLORS.get(finding.kind, ""))
    lines = [f"{paint(where, _BOLD)} {kind} {finding.message}{tail}{context_label(finding)}"]
    for label, frame in (("created at", finding.created_at), ("suspended at", finding.suspended_at)):
        if frame is not None and frame != location:
            lines.append(
                paint(f"    {label} {relative(frame.path)}:{frame.line} in {frame.function}", _DIM)
            )
    return lines
