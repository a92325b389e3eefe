"""asyncdoctor's pytest plugin: the test during which the event loop misbehaved fails.

Registered through the ``pytest11`` entry point and inactive until asked for::

    pytest --asyncdoctor                       # or, in the ini file: asyncdoctor = true
    pytest --asyncdoctor --asyncdoctor-mode=report --asyncdoctor-threshold=0.05

When active, the runtime doctor is installed at session start and every finding is given to
the test during which it happened: a test that blocked its loop, lost a coroutine, left a
task pending or a resource open fails with the findings (file:line, kind, message) as its
failure, or, with ``--asyncdoctor-mode=report``, passes and is listed in an ``asyncdoctor``
section of the terminal summary.  It needs no marker and works with whatever runs the
test's loop (pytest-asyncio in strict or auto mode, anyio's plugin, ``asyncio.run`` in a
plain test), because the doctor watches every loop of the process.

How findings are attributed (as pytest's own ``unraisableexception`` plugin does it): a
cursor into the doctor's finding stream moves at the end of the test's call (findings made
during setup and call fail the call, so the test shows as FAILED) and after its teardown,
preceded by a garbage collection so that coroutines and resources lost during the test are
seen then (they fail the teardown, shown as an ERROR, like a failing fixture finaliser).
Findings made outside any test (collection, between tests) are listed in the summary.

When the plugin is not enabled, its only work is to add its options: nothing is imported,
installed or hooked.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .runtime import Doctor, RuntimeFinding

__all__ = [
    "add_ini_keys",
    "pytest_addoption",
    "pytest_configure",
]

_MODES = ("fail", "report")
_PLUGIN_NAME = "asyncdoctor-doctor"
_INI_PLUGIN = "asyncdoctor_ini"
_GC_KINDS = frozenset({"never-awaited", "unclosed-resource"})


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    group = parser.getgroup("asyncdoctor", "asyncdoctor runtime doctor")
    group.addoption(
        "--asyncdoctor", action="store_true", default=None,
        help="fail the tests during which an event loop was blocked, a coroutine lost, "
        "a task left pending, an exception never retrieved or a resource left open",
    )  # fmt: skip
    group.addoption(
        "--asyncdoctor-threshold", metavar="SECONDS", default=None,
        help="a loop step running longer than this blocks the loop (default: 0.1)",
    )  # fmt: skip
    group.addoption(
        "--asyncdoctor-mode", choices=_MODES, default=None,
        help="fail: the test fails (default); report: list the findings in the summary",
    )  # fmt: skip
    group.addoption(
        "--asyncdoctor-disable", action="append", default=[], metavar="KIND[,KIND]",
        help="switch these detectors off",
    )  # fmt: skip
    group.addoption(
        "--asyncdoctor-max-lag", metavar="SECONDS", default=None,
        help="budget: fail a test whose loop lag p99 passes this (no budget by default)",
    )  # fmt: skip
    group.addoption(
        "--asyncdoctor-max-utilization", metavar="RATIO", default=None,
        help="budget: fail a test whose event-loop utilization passes this (0-1; none by default)",
    )  # fmt: skip
    group.addoption(
        "--asyncdoctor-task-stats", action="store_true", default=None,
        help="count every task by coroutine: outcomes and lifetimes (Doctor.task_stats(); "
        "about 3 us per task)",
    )  # fmt: skip
    if not pluginmanager.has_plugin(_INI_PLUGIN):  # normally it registers the ini keys
        add_ini_keys(parser)


def add_ini_keys(parser: pytest.Parser) -> None:
    """The plugin's configuration keys (``asyncdoctor = true`` and the others).

    They are registered by a second entry point, ``asyncdoctor_ini``
    (:mod:`asyncdoctor._pytest_ini`), so that ``-p no:asyncdoctor`` in a project whose
    configuration sets them still knows them (pytest warns of unknown keys).
    """
    parser.addini(
        "asyncdoctor", "enable the asyncdoctor runtime doctor", type="bool", default=False
    )
    parser.addini(
        "asyncdoctor_threshold", "blocking threshold in seconds (default: 0.1)", default=""
    )
    parser.addini("asyncdoctor_mode", "fail (default) or report", default="fail")
    parser.addini(
        "asyncdoctor_disable", "detectors to switch off (names, space or comma separated)",
        type="args", default=[],
    )  # fmt: skip
    parser.addini("asyncdoctor_max_lag", "budget: loop lag p99 in seconds", default="")
    parser.addini("asyncdoctor_max_utilization", "budget: event-loop utilization (0-1)", default="")
    parser.addini(
        "asyncdoctor_task_stats", "count every task by coroutine: outcomes and lifetimes",
        type="bool", default=False,
    )  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    enabled = config.getoption("asyncdoctor")
    if enabled is None:
        enabled = bool(config.getini("asyncdoctor"))
    if not enabled or config.pluginmanager.has_plugin(_PLUGIN_NAME):
        return
    config.pluginmanager.register(_DoctorPlugin(config, _settings(config)), _PLUGIN_NAME)


@dataclass(frozen=True, slots=True)
class _Settings:
    mode: str
    threshold: float | None
    disabled: frozenset[str]
    max_lag: float | None = None
    max_utilization: float | None = None
    task_stats: bool = False


def _budget(config: pytest.Config, name: str, upper: float) -> float | None:
    raw = config.getoption(name)
    if raw is None:
        raw = str(config.getini(name)).strip() or None
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= upper:
        what = "a positive number of seconds" if upper == float("inf") else f"a number in (0, {upper:g}]"
        raise pytest.UsageError(f"--{name.replace('_', '-')}: expected {what}, got '{raw}'")
    return value


def _flag(config: pytest.Config, name: str) -> bool:
    """A yes/no setting: the command line's when given, else the ini file's."""
    value = config.getoption(name)
    return bool(config.getini(name)) if value is None else bool(value)


def _settings(config: pytest.Config) -> _Settings:
    from .runtime import KINDS

    mode = config.getoption("asyncdoctor_mode") or str(config.getini("asyncdoctor_mode")).strip()
    if mode not in _MODES:
        raise pytest.UsageError(f"asyncdoctor_mode: expected fail or report, got '{mode}'")
    raw_threshold = config.getoption("asyncdoctor_threshold")
    if raw_threshold is None:
        raw_threshold = str(config.getini("asyncdoctor_threshold")).strip() or None
    threshold: float | None = None
    if raw_threshold is not None:
        try:
            threshold = float(raw_threshold)
        except ValueError:
            threshold = -1.0
        if not 0 < threshold < float("inf"):
            raise pytest.UsageError(
                f"--asyncdoctor-threshold: expected a positive number of seconds, "
                f"got '{raw_threshold}'"
            )
    names: list[str] = []
    for item in [*config.getini("asyncdoctor_disable"), *config.getoption("asyncdoctor_disable")]:
        names.extend(name.strip() for name in str(item).split(",") if name.strip())
    unknown = [name for name in names if name not in KINDS]
    if unknown:
        raise pytest.UsageError(
            f"--asyncdoctor-disable: unknown kind '{unknown[0]}' (kinds: {', '.join(KINDS)})"
        )
    return _Settings(
        mode=mode, threshold=threshold, disabled=frozenset(names),
        max_lag=_budget(config, "asyncdoctor_max_lag", float("inf")),
        max_utilization=_budget(config, "asyncdoctor_max_utilization", 1.0),
        task_stats=_flag(config, "asyncdoctor_task_stats"),
    )  # fmt: skip


_found_key = pytest.StashKey[list[str]]()  # report mode: this phase's findings, as text


class _DoctorPlugin:
    """The active plugin: registered by :func:`pytest_configure` only when enabled."""

    def __init__(self, config: pytest.Config, settings: _Settings) -> None:
        self.config = config
        self.settings = settings
        self.doctor: Doctor | None = None
        self.owned = False  # whether we installed it (not `asyncdoctor run -m pytest`)
        self.cursor = 0
        self.collect_garbage = True
        self.by_test: dict[str, list[str]] = {}  # report mode: nodeid -> finding lines
        self.outside: list[RuntimeFinding] = []
        self.failure: str | None = None
        # each loop's figures when the test began (label -> LoopHealth), for the budgets
        # (None: not measuring; a loop the test's fixtures create is not in it yet)
        self.health_before: dict[str, Any] | None = None

    # --- session ---------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        try:
            from . import runtime

            doctor = runtime.current()
            if doctor is None:
                options = runtime.DoctorOptions(
                    detectors=frozenset(runtime.KINDS) - self.settings.disabled
                )
                if self.settings.threshold is not None:
                    options = options.replace(threshold=self.settings.threshold)
                if self.settings.task_stats:
                    options = options.replace(task_stats=True)
                doctor = runtime.install(options)
                self.owned = True
                self.collect_garbage = bool(_GC_KINDS - self.settings.disabled)
            self.cursor = doctor.mark()
            self.doctor = doctor
        except Exception as exc:  # the tests must run all the same
            self.failure = f"doctor failed: {type(exc).__name__}: {exc}"

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.doctor is not None and self.owned:
            with contextlib.suppress(Exception):  # never fail the run on our way out
                self.doctor.uninstall()
            self.doctor = None

    # --- each test -------------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        self.outside.extend(self._take())  # found between tests: nobody's
        self.health_before = self._health() if self._budgets() else None
        return (yield)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        self._check(item)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        if self.doctor is not None and self.collect_garbage:
            gc.collect()  # coroutines and resources lost during the test are found now
        self._check(item)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        found = item.stash.get(_found_key, None)
        if found:  # report mode: carried by the report, so that it also works with xdist
            report.sections.append(("asyncdoctor", "\n".join(found)))
            del item.stash[_found_key]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for title, text in report.sections:
            if title == "asyncdoctor":
                self.by_test.setdefault(report.nodeid, []).extend(text.splitlines())

    def _budgets(self) -> bool:
        return self.settings.max_lag is not None or self.settings.max_utilization is not None

    def _health(self) -> dict[str, Any]:
        doctor = self.doctor
        if doctor is None:
            return {}
        try:
            return {h.label: h for h in doctor.loop_health()}
        except Exception as exc:
            self.failure = f"doctor failed: {type(exc).__name__}: {exc}"
            return {}

    def _over_budget(self) -> list[str]:
        """What this test's loops did beyond the budgets (figures since the test began)."""
        before = self.health_before
        if before is None:
            return []
        from .runtime._metrics import delta_figures

        out: list[str] = []
        for label, after in self._health().items():
            lag_p99, utilization = delta_figures(before.get(label), after)
            max_lag, max_elu = self.settings.max_lag, self.settings.max_utilization
            if max_lag is not None and lag_p99 is not None and lag_p99 > max_lag:
                out.append(f"{label}: loop lag p99 over {max_lag * 1000:g} ms "
                           f"(at least {lag_p99 * 1000:g} ms, heartbeat histogram)")
            if max_elu is not None and utilization is not None and utilization > max_elu:
                out.append(f"{label}: event-loop utilization {utilization:.2f} over {max_elu:g}")
        self.health_before = None
        return out

    def _check(self, item: pytest.Item) -> None:
        findings = self._take()
        over = self._over_budget()
        if not findings and not over:
            return
        lines = [_line(finding, self.config.rootpath) for finding in findings]
        if over:
            lines.extend(f"budget: {line}" for line in over)
        if self.settings.mode == "fail":
            count = f"{len(lines)} problem{'s' if len(lines) > 1 else ''}"
            text = "\n".join([f"asyncdoctor found {count} during this test:", *lines])
            pytest.fail(text, pytrace=False)
        item.stash.setdefault(_found_key, []).extend(lines)

    def _take(self) -> list[RuntimeFinding]:
        """The findings since the cursor, which moves past them."""
        doctor = self.doctor
        if doctor is None:
            return []
        try:
            # the end first: a finding made in between is then reported twice, never lost
            end = doctor.mark()
            findings = doctor.findings_since(self.cursor)
            self.cursor = end
        except Exception as exc:
            self.failure = f"doctor failed: {type(exc).__name__}: {exc}"
            self.doctor = None
            return []
        return list(findings)

    # --- the summary -----------------------------------------------------------------------

    def pytest_report_header(self, config: pytest.Config) -> str:
        threshold = self.settings.threshold
        parts = [f"mode={self.settings.mode}"]
        if threshold is not None:
            parts.append(f"threshold={threshold:g}s")
        if self.settings.disabled:
            parts.append(f"disabled={','.join(sorted(self.settings.disabled))}")
        return f"asyncdoctor: {' '.join(parts)}"

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        self.outside.extend(self._take())
        writer = terminalreporter
        if self.failure is not None:
            writer.write_line(f"asyncdoctor: {self.failure}", red=True)
        if not self.by_test and not self.outside:
            return
        writer.write_sep("=", "asyncdoctor")
        for nodeid, lines in self.by_test.items():
            writer.write_line(nodeid, bold=True)
            for line in lines:
                writer.write_line(f"  {line}")
        if self.outside:
            writer.write_line("not during a test:", bold=True)
            for finding in self.outside:
                writer.write_line(f"  {_line(finding, self.config.rootpath)}")


def _line(finding: RuntimeFinding, root: os.PathLike[str]) -> str:
    """One finding, as the doctor's summary writes it: ``path:line: kind message (details)``.

    Paths are relative to the rootdir; the creation site (and where a pending task was
    suspended), when known, follow on their own lines.
    """
    from .runtime._models import finding_lines

    return "\n".join(finding_lines(finding, lambda path: _relative(path, root)))


def _relative(path: str, root: os.PathLike[str]) -> str:
    try:
        relative = os.path.relpath(path, root)
    except ValueError:  # another drive
        return path
    return path if relative.startswith(os.pardir) else relative
