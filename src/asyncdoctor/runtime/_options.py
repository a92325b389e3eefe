"""What the doctor looks for, and how hard.

>>> DoctorOptions(threshold=0.05, detectors=frozenset({"blocking-call"})).sample
0.0025

Every field has a default that suits development and CI: a loop step that
runs 100 ms or more counts as blocking, every detector is on, and nothing
runs per task or per coroutine (creation sites are then found from the
code; ``task_sites`` and ``coroutine_origins`` record them exactly, at a
measured cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["KINDS", "DoctorOptions"]

KINDS: tuple[str, ...] = (
    "blocking-call",
    "never-awaited",
    "unretrieved-exception",
    "unclosed-resource",
    "pending-task",
)


@dataclass(frozen=True, kw_only=True)
class DoctorOptions:
    """Settings of one :class:`~asyncdoctor.runtime.Doctor`.

    Parameters:
        threshold: seconds a single event-loop step may run before it counts
            as a ``blocking-call``.
        detectors: the finding kinds to look for (a subset of :data:`KINDS`).
        stack_limit: the most frames kept per stack (innermost kept).
        heartbeat_interval: seconds between two heartbeats of a loop; ``None``
            means ``threshold / 4``, at most 25 ms and at least 2 ms.
        sample_interval: seconds between two stack samples of a loop that is
            late; ``None`` means ``threshold / 20``, between 1 ms and 10 ms.
        task_sites: record where each task is created (for pending tasks and
            unretrieved exceptions) with a task factory; about 1 us per task
            (20 % of a task that only does ``await sleep(0)``).  Off by
            default: the creation line is then found by looking for the
            ``create_task(coro())`` call in the program's code.
        coroutine_origins: record where *every* coroutine is created, through
            ``sys.set_coroutine_origin_tracking_depth(1)``; exact creation
            lines for never-awaited coroutines, at about 0.2 us per coroutine.
            Off by default: the creation line is then found from the frame
            that dropped the coroutine.
    """

    threshold: float = 0.1
    detectors: frozenset[str] = field(default_factory=lambda: frozenset(KINDS))
    stack_limit: int = 30
    heartbeat_interval: float | None = None
    sample_interval: float | None = None
    task_sites: bool = False
    coroutine_origins: bool = False

    def __post_init__(self) -> None:
        if not self.threshold > 0:
            raise ValueError(f"threshold must be positive, not {self.threshold!r}")
        unknown = set(self.detectors) - set(KINDS)
        if unknown:
            raise ValueError(
                f"unknown detector(s) {', '.join(sorted(unknown))}; choose from {', '.join(KINDS)}"
            )
        if self.stack_limit < 1:
            raise ValueError(f"stack_limit must be at least 1, not {self.stack_limit!r}")
        for name in ("heartbeat_interval", "sample_interval"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive, not {value!r}")

    def __repr__(self) -> str:
        detectors = "{" + ", ".join(repr(k) for k in KINDS if k in self.detectors) + "}"
        return (
            f"DoctorOptions(threshold={self.threshold!r}, detectors=frozenset({detectors}), "
            f"stack_limit={self.stack_limit!r}, heartbeat_interval={self.heartbeat_interval!r}, "
            f"sample_interval={self.sample_interval!r}, "
            f"task_sites={self.task_sites!r}, "
            f"coroutine_origins={self.coroutine_origins!r})"
        )

    @property
    def beat(self) -> float:
        """The heartbeat interval in effect, in seconds."""
        if self.heartbeat_interval is not None:
            return self.heartbeat_interval
        return min(0.025, max(0.002, self.threshold / 4))

    @property
    def sample(self) -> float:
        """The sampling interval in effect, in seconds."""
        if self.sample_interval is not None:
            return self.sample_interval
        return min(0.010, max(0.001, self.threshold / 20))

    def wants(self, kind: str) -> bool:
        """Whether the detector for ``kind`` is on."""
        return kind in self.detectors
