"""Plain data returned by the checker engine.

Every front-end (text, JSON, SARIF, GitHub annotations, the pytest plugin)
renders these objects and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["CheckResult", "FileError", "Finding", "RuleInfo"]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a rule is: its code, kebab-case name, category, and documentation."""

    code: str
    name: str
    category: str
    summary: str
    doc: str


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One problem found at one place.

    Lines are 1-based; columns are 1-based and count characters, as in
    ruff's and SARIF's output.  ``chain`` names the calls that lead from the
    flagged call to the real culprit, innermost last, for rules that follow
    calls across functions and modules.  ``sites`` lists the places one cause
    is reached from when they are reported as one finding (``path:line``
    and the call made there).  ``preview`` marks a finding whose evidence is
    weaker: it is shown only with ``--preview``.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    category: str
    message: str
    chain: tuple[str, ...] = field(default=(), compare=False)
    sites: tuple[str, ...] = field(default=(), compare=False)
    preview: bool = field(default=False, compare=False)


ErrorKind = Literal["syntax", "newer-python", "unreadable", "internal"]


@dataclass(frozen=True, slots=True)
class FileError:
    """A file that could not be checked (and why); the other files still are.

    ``kind`` is ``"syntax"`` (the running Python does not parse it),
    ``"newer-python"`` (it uses the syntax of a newer Python, named in the
    message), ``"unreadable"`` (it cannot be read or decoded) or
    ``"internal"`` (the checker failed on it: a bug worth reporting).
    """

    path: str
    kind: ErrorKind
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything one run of the checker produced."""

    findings: tuple[Finding, ...]
    errors: tuple[FileError, ...]
    files_checked: int
    lines_checked: int
    files_from_cache: int = 0

    @property
    def exit_code(self) -> int:
        """0 when clean, 1 when there are findings, 2 when a file could not be read."""
        if self.errors:
            return 2
        if self.findings:
            return 1
        return 0
