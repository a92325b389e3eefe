"""Fakes shared by the command-line tests: a small rule registry and an engine.

The fake engine uses the real discovery and selection and reports ``ADC101``
on every ``time.sleep(`` it sees, so the command line can be tested without
the real analysis.  Tests that need the real engine say so with a
``# needs engine`` comment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from asyncdoctor.check._config import Config
from asyncdoctor.check._discovery import discover_files
from asyncdoctor.check._models import CheckResult, FileError, Finding, RuleInfo
from asyncdoctor.check._selection import codes_ignored_for, selected_codes
from asyncdoctor.cli import _main

CATEGORIES = {
    "blocking": "calls that block the event loop",
    "coroutines": "coroutines that are created but never run",
    "tasks": "tasks whose lifetime or purpose is wrong",
}

RULES = (
    RuleInfo(
        code="ADC101",
        name="blocking-call",
        category="blocking",
        summary="A blocking call inside an async function.",
        doc="## What it does\nFinds blocking calls.\n\n## Example\n```python\ntime.sleep(1)\n```",
    ),
    RuleInfo(
        code="ADC102",
        name="blocking-io",
        category="blocking",
        summary="Blocking file I/O inside an async function.",
        doc="## What it does\nFinds `open()`.",
    ),
    RuleInfo(
        code="ADC201",
        name="unawaited-coroutine",
        category="coroutines",
        summary="A coroutine that is never awaited.",
        doc="## What it does\nFinds lost coroutines.",
    ),
    RuleInfo(
        code="ADC301",
        name="task-reference",
        category="tasks",
        summary="A task nobody keeps a reference to.",
        doc="",
    ),
)

SLEEP = "time.sleep("


def finding(path: str, line: int = 1, column: int = 1, **changes: object) -> Finding:
    """A hand-built ``ADC101`` finding; keyword arguments change any field."""
    values: dict[str, object] = {
        "path": path,
        "line": line,
        "column": column,
        "end_line": line,
        "end_column": column + 13,
        "code": "ADC101",
        "name": "blocking-call",
        "category": "blocking",
        "message": "`time.sleep` blocks the event loop",
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


@dataclass
class FakeEngine:
    """Records every call; reports ADC101 on each ``time.sleep(``."""

    calls: list[tuple[list[Path], Config]] = field(default_factory=list)
    reported_total: int | None = None

    def __call__(
        self,
        paths: Sequence[Path],
        config: Config,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> CheckResult:
        self.calls.append((list(paths), config))
        files = discover_files(paths, config)
        codes = selected_codes(config, rules=RULES)
        findings: list[Finding] = []
        errors: list[FileError] = []
        lines = 0
        for done, file in enumerate(files, start=1):
            text = file.read_text(encoding="utf-8")
            lines += text.count("\n")
            try:
                compile(text, str(file), "exec")
            except SyntaxError as exc:
                errors.append(
                    FileError(str(file), "syntax", exc.msg or "", exc.lineno, exc.offset)
                )
                continue
            ignored = codes_ignored_for(str(file), config, rules=RULES)
            for number, line in enumerate(text.splitlines(), start=1):
                if SLEEP in line and "ADC101" in codes and "ADC101" not in ignored:
                    findings.append(finding(str(file), number, line.index(SLEEP) + 1))
            if progress is not None:
                progress(done, self.reported_total or len(files))
        return CheckResult(
            findings=tuple(findings),
            errors=tuple(errors),
            files_checked=len(files),
            lines_checked=lines,
        )

    @property
    def config(self) -> Config:
        return self.calls[-1][1]


@pytest.fixture
def fake_registry(monkeypatch: pytest.MonkeyPatch) -> tuple[RuleInfo, ...]:
    monkeypatch.setattr(_main, "_registry", lambda: (RULES, CATEGORIES))
    monkeypatch.setattr(_main, "_catalog", lambda: RULES)
    return RULES


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, fake_registry: object) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(_main, "_check_paths", fake)
    return fake


@pytest.fixture(autouse=True)
def _no_color_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests decide about colour; the environment running them does not."""
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project (a pyproject.toml marks it) that is the current directory."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path
