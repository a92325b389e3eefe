"""Plain data returned by the runtime doctor.

The command line, the JSON report and the pytest plugin only render these
frozen dataclasses: :class:`RuntimeReport` holds the grouped
:class:`RuntimeFinding` objects and the loop health figures
(:class:`LoopMetrics`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Frame", "LoopMetrics", "RuntimeFinding", "RuntimeReport"]


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame of a stack: the file, the 1-based line and the function name."""

    path: str
    line: int
    function: str

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "function": self.function}

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class RuntimeFinding:
    """One problem seen while the program ran (repeats at one place grouped).

    ``location`` is the innermost frame of *user* code responsible (not
    asyncio, the standard library, site-packages or asyncdoctor itself);
    ``stack`` is outermost first.  For ``blocking-call`` findings
    ``duration`` is the total time the loop was blocked by the group, and
    ``extra`` holds ``max_ms``.
    """

    kind: str
    message: str
    location: Frame
    stack: tuple[Frame, ...]
    count: int = 1
    duration: float | None = None
    created_at: Frame | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "message": self.message,
            "location": self.location.to_json(),
            "stack": [frame.to_json() for frame in self.stack],
            "count": self.count,
            "duration": self.duration,
            "created_at": None if self.created_at is None else self.created_at.to_json(),
            "extra": dict(self.extra),
        }


@dataclass(frozen=True, slots=True)
class LoopMetrics:
    """Loop health figures collected over the whole run.

    Lag is how late the doctor's heartbeat ran on its loop (all loops
    together); ``slowest_steps`` are the longest loop steps seen, as
    ``("path:line function", milliseconds)``, slowest first.
    """

    loops_seen: int
    tasks_created: int
    tasks_peak_alive: int
    lag_p50_ms: float
    lag_p90_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    slowest_steps: tuple[tuple[str, float], ...]

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


@dataclass(frozen=True, slots=True)
class RuntimeReport:
    """Everything the doctor saw: grouped findings and loop metrics."""

    findings: tuple[RuntimeFinding, ...]
    metrics: LoopMetrics

    def to_json(self) -> dict[str, object]:
        """The machine-readable report (what ``--report FILE.json`` writes)."""
        return {
            "findings": [finding.to_json() for finding in self.findings],
            "metrics": self.metrics.to_json(),
        }

    def render_text(self, *, color: bool = False) -> str:
        """A short human summary, one line per finding; ``""`` when clean.

        Each line reads ``path:line: kind message (x3, 1.23 s total)``, with
        the creation site on an indented line below when it is known and
        differs from the location.
        """
        if not self.findings:
            return ""

        def paint(text: str, code: str) -> str:
            return f"{code}{text}{_RESET}" if color else text

        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.kind] = counts.get(finding.kind, 0) + finding.count
        total = sum(counts.values())
        summary = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
        lines = [
            paint(f"asyncdoctor: {total} runtime finding{'s' if total != 1 else ''}", _BOLD)
            + f" ({summary})"
        ]
        for finding in self.findings:
            where = f"{_display_path(finding.location.path)}:{finding.location.line}:"
            details: list[str] = []
            if finding.count > 1:
                details.append(f"x{finding.count}")
            if finding.duration is not None:
                details.append(
                    f"{_seconds(finding.duration)} total"
                    if finding.count > 1
                    else _seconds(finding.duration)
                )
            tail = f" ({', '.join(details)})" if details else ""
            kind = paint(finding.kind, _COLORS.get(finding.kind, ""))
            lines.append(f"{paint(where, _BOLD)} {kind} {finding.message}{tail}")
            created = finding.created_at
            if created is not None and created != finding.location:
                lines.append(
                    paint(
                        f"    created at {_display_path(created.path)}:{created.line}"
                        f" in {created.function}",
                        _DIM,
                    )
                )
        metrics = self.metrics
        if metrics.loops_seen:
            lines.append(
                paint(
                    f"loop lag p50 {metrics.lag_p50_ms:.1f} ms, p99 {metrics.lag_p99_ms:.1f} ms, "
                    f"max {metrics.lag_max_ms:.1f} ms; {metrics.tasks_created} tasks "
                    f"(peak {metrics.tasks_peak_alive} alive)",
                    _DIM,
                )
            )
        return "\n".join(lines)
