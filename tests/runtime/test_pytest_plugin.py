"""The pytest plugin, on real test files run by ``pytester`` in a separate process.

Each test file marks the line a finding must point at with a ``# finding: KIND`` comment.
"""

from __future__ import annotations

import re
import textwrap

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
{extra}
"""

STRICT = """
import asyncio
import sys
import time

import pytest


@pytest.mark.asyncio
async def test_blocks():
    await asyncio.sleep(0)
    time.sleep(0.3)  # finding: blocking-call


@pytest.mark.asyncio
async def test_clean():
    await asyncio.gather(*(asyncio.sleep(0) for _ in range(100)))
    await asyncio.to_thread(time.sleep, 0.3)


def test_sync():
    time.sleep(0.01)
"""


def _line(pytester: pytest.Pytester, kind: str) -> int:
    """The line of the written test file that carries ``# finding: KIND``."""
    source = (pytester.path / "test_app.py").read_text(encoding="utf-8")
    for number, text in enumerate(source.splitlines(), start=1):
        if f"# finding: {kind}" in text:
            return number
    raise AssertionError(f"no '# finding: {kind}' line")


def _setup(
    pytester: pytest.Pytester, source: str, *, name: str = "test_app", ini: str = ""
) -> None:
    pytester.makeini(INI.format(extra=ini))
    pytester.makepyfile(**{name: textwrap.dedent(source)})


def test_a_test_that_blocks_the_loop_fails_with_the_line(pytester: pytest.Pytester) -> None:
    _setup(pytester, STRICT)
    result = pytester.runpytest_subprocess("--asyncdoctor", "--asyncdoctor-threshold=0.1")
    result.assert_outcomes(failed=1, passed=2)
    line = _line(pytester, "blocking-call")
    result.stdout.fnmatch_lines(
        [
            "*_ test_blocks _*",
            "asyncdoctor found 1 problem during this test:",
            f"test_app.py:{line}: blocking-call *",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED test_app.py::test_blocks - *asyncdoctor found 1 problem*"])
    assert "test_clean" not in result.stdout.str().split("short test summary")[-1]


def test_report_mode_passes_and_lists_the_finding(pytester: pytest.Pytester) -> None:
    _setup(pytester, STRICT)
    result = pytester.runpytest_subprocess("--asyncdoctor", "--asyncdoctor-mode=report")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*= asyncdoctor =*",
            "test_app.py::test_blocks",
            f"  test_app.py:{_line(pytester, 'blocking-call')}: blocking-call *",
        ]
    )
    assert "test_app.py::test_clean" not in result.stdout.str()


def test_the_plugin_is_inactive_without_the_flag(pytester: pytest.Pytester) -> None:
    source = STRICT + textwrap.dedent(
        """
        def test_doctor_not_loaded():
            assert "asyncdoctor.runtime" not in sys.modules
        """
    )
    _setup(pytester, source)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=4)
    output = result.stdout.str()
    assert "asyncdoctor:" not in output  # neither the header line nor a finding
    assert "= asyncdoctor =" not in output


def test_the_ini_option_enables_it_and_bad_values_are_usage_errors(
    pytester: pytest.Pytester,
) -> None:
    _setup(pytester, STRICT, ini="asyncdoctor = true\nasyncdoctor_mode = report")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*= asyncdoctor =*", "test_app.py::test_blocks"])
    # in-process: a usage error stops pytest before the doctor is installed
    bad = pytester.runpytest_inprocess("--asyncdoctor-disable=blocking")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*unknown kind 'blocking'*"])


def test_disabling_the_plugin_keeps_its_configuration_keys_known(
    pytester: pytest.Pytester,
) -> None:
    # `-p no:asyncdoctor` in a project that configures the plugin: no "unknown config
    # option" warnings (they would fail a run under -W error).
    _setup(
        pytester,
        STRICT,
        ini="asyncdoctor = true\nasyncdoctor_mode = report\nasyncdoctor_threshold = 0.05\n"
        "asyncdoctor_disable = unclosed-resource",
    )
    result = pytester.runpytest_subprocess("-p", "no:asyncdoctor", "-W", "error")
    result.assert_outcomes(passed=3)
    assert "PytestConfigWarning" not in result.stdout.str() + result.stderr.str()
    assert "= asyncdoctor =" not in result.stdout.str()


AUTO = """
import asyncio
import time

import pytest


@pytest.fixture
async def resource():
    await asyncio.sleep(0)
    yield "ready"


async def test_blocks(resource):
    time.sleep(0.3)  # finding: blocking-call


async def test_clean(resource):
    await asyncio.sleep(0.01)
"""


def test_pytest_asyncio_auto_mode(pytester: pytest.Pytester) -> None:
    _setup(pytester, AUTO, ini="asyncio_mode = auto")
    result = pytester.runpytest_subprocess("--asyncdoctor")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [f"test_app.py:{_line(pytester, 'blocking-call')}: blocking-call *"]
    )


ANYIO = """
import time

import anyio
import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_blocks():
    await anyio.sleep(0)
    time.sleep(0.3)  # finding: blocking-call


@pytest.mark.anyio
async def test_clean():
    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(anyio.sleep, 0)
"""


def test_anyio_plugin(pytester: pytest.Pytester) -> None:
    _setup(pytester, ANYIO)
    result = pytester.runpytest_subprocess("--asyncdoctor", "-p", "no:asyncio")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [f"test_app.py:{_line(pytester, 'blocking-call')}: blocking-call *"]
    )


LOST = """
import asyncio
import gc

import pytest


async def save(record):
    await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_forgets_await():
    save({"id": 1})  # finding: never-awaited


@pytest.mark.asyncio
async def test_leaves_a_task():
    asyncio.get_running_loop().create_task(asyncio.sleep(30))  # finding: pending-task


@pytest.mark.asyncio
async def test_clean():
    await save({"id": 2})
"""


def test_lost_coroutines_and_pending_tasks_go_to_their_test(pytester: pytest.Pytester) -> None:
    _setup(pytester, LOST)
    result = pytester.runpytest_subprocess("--asyncdoctor", "-W", "ignore::RuntimeWarning")
    # the lost coroutine fails the test; the task left pending is seen when pytest-asyncio's
    # loop shuts down, in the teardown, which errors
    result.assert_outcomes(failed=1, passed=2, errors=1)
    text = result.stdout.str()
    never = _line(pytester, "never-awaited")
    pending = _line(pytester, "pending-task")
    assert re.search(rf"test_app\.py:{never}: never-awaited ", text), text
    assert re.search(rf"test_app\.py:{pending}: pending-task ", text), text
    # each in the report of its own test
    assert f"test_app.py:{never}:" in _section(text, "test_forgets_await")
    assert f"test_app.py:{pending}:" in _section(text, "test_leaves_a_task")
    assert "test_clean" not in result.stdout.str().split("short test summary")[-1]


def _section(output: str, test: str) -> str:
    """The failure or error report of ``test`` in pytest's output."""
    header = re.compile(rf"^_+ (?:ERROR at \w+ of )?{test} _+$")
    lines = output.splitlines()
    found: list[str] = []
    inside = False
    for line in lines:
        if header.match(line):
            inside = True
            continue
        if inside and (line.startswith(("___", "===")) and not header.match(line)):
            inside = False
        if inside:
            found.append(line)
    assert found, f"no report for {test} in:\n{output}"
    return "\n".join(found)


def test_findings_reach_the_controller_under_xdist(pytester: pytest.Pytester) -> None:
    _setup(pytester, STRICT)
    result = pytester.runpytest_subprocess(
        "--asyncdoctor", "-n", "2", "-p", "xdist", "--asyncdoctor-threshold=0.1"
    )
    result.assert_outcomes(failed=1, passed=2)
    line = _line(pytester, "blocking-call")
    result.stdout.fnmatch_lines(
        [
            "asyncdoctor found 1 problem during this test:",
            f"test_app.py:{line}: blocking-call *",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED test_app.py::test_blocks - *asyncdoctor found 1 problem*"])

    report = pytester.runpytest_subprocess(
        "--asyncdoctor", "--asyncdoctor-mode=report", "-n", "2", "-p", "xdist"
    )
    report.assert_outcomes(passed=3)
    report.stdout.fnmatch_lines(
        ["*= asyncdoctor =*", "test_app.py::test_blocks", f"  test_app.py:{line}: blocking-call *"]
    )


BUDGETS = """
import asyncio
import time

import pytest


@pytest.mark.asyncio
async def test_busy():
    for _ in range(2):
        time.sleep(0.3)  # under the blocking threshold, but the loop does nothing else
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_idle():
    await asyncio.sleep(0.3)
"""


def test_budgets_fail_a_test_whose_loop_was_too_busy_or_late(pytester: pytest.Pytester) -> None:
    _setup(pytester, BUDGETS)
    result = pytester.runpytest_subprocess(
        "--asyncdoctor", "--asyncdoctor-threshold=1", "--asyncdoctor-max-lag=0.05",
        "--asyncdoctor-max-utilization=0.5",
    )  # fmt: skip
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_busy _*",
            "asyncdoctor found 2 problems during this test:",
            "budget: asyncio.*: loop lag p99 over 50 ms (at least * ms, heartbeat histogram)",
            "budget: asyncio.*: event-loop utilization * over 0.5",
        ]
    )
    assert "test_idle" not in result.stdout.str().split("short test summary")[-1]


def test_budgets_are_checked_like_the_other_options(pytester: pytest.Pytester) -> None:
    _setup(pytester, BUDGETS, ini="asyncdoctor_max_utilization = 2")
    result = pytester.runpytest_subprocess("--asyncdoctor")
    result.stderr.fnmatch_lines(["*--asyncdoctor-max-utilization: expected a number in (0, 1], got '2'*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR
