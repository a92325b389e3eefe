"""Default and preview findings, and one finding per cause, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asyncdoctor.cli import main

HELPERS = '''\
import time

import requests


def pause():
    time.sleep(1)


def settings():
    with open("app.toml") as f:
        return f.read()
'''
HANDLERS = '''\
from helpers import pause, settings


async def one():
    pause()


async def two():
    pause()


async def three():
    return settings()
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.asyncdoctor]\n", encoding="utf-8")
    (tmp_path / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (tmp_path / "handlers.py").write_text(HANDLERS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    main(["check", "--no-cache", "--format", "json", *args])
    data: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return data


def where(data: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(f["path"], f["line"], f["preview"]) for f in data]


def test_default_reports_one_finding_per_cause(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = findings(capsys)
    assert where(data) == [("helpers.py", 7, False)]
    assert data[0]["sites"] == ["handlers.py:5: pause()", "handlers.py:9: pause()"]
    assert "2 calls in async functions" in str(data[0]["message"])


def test_preview_adds_the_weaker_evidence(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert where(findings(capsys, "--preview")) == [
        ("handlers.py", 13, True), ("helpers.py", 7, False)]


def test_show_all_sites(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert where(findings(capsys, "--show-all-sites")) == [
        ("handlers.py", 5, False), ("handlers.py", 9, False)]


def test_both_from_the_configuration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.asyncdoctor]\npreview = true\nshow-all-sites = true\n", encoding="utf-8")
    assert where(findings(capsys)) == [
        ("handlers.py", 5, False), ("handlers.py", 9, False), ("handlers.py", 13, True)]


def test_text_marks_preview_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", "--preview", "--no-progress"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("handlers.py:13:12: ADC101 [preview] `settings()` blocks")
    assert out[1].startswith("helpers.py:7:5: ADC101 `time.sleep()`")


def test_a_clean_default_run_exits_0_even_with_preview_findings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "handlers.py").write_text(
        "from helpers import settings\n\n\nasync def three():\n    return settings()\n",
        encoding="utf-8")
    assert main(["check", "--no-cache", "--no-progress"]) == 0
    assert main(["check", "--no-cache", "--no-progress", "--preview"]) == 1


def test_one_finding_per_line_of_direct_blocking_calls(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One statement to move to a thread is one finding, naming both calls.
    (project / "handlers.py").write_text(
        "import subprocess\nimport time\n\n\n"
        "async def convert(src: str) -> None:\n"
        "    subprocess.run(['ffmpeg', src], check=True).check_returncode(); time.sleep(1)\n",
        encoding="utf-8")
    data = findings(capsys, "handlers.py")
    assert where(data) == [("handlers.py", 6, False)]
    assert "`time.sleep()` on this line blocks too" in str(data[0]["message"])


TASKS = '''
import asyncio
import logging


async def guarded(job: str) -> None:
    try:
        await asyncio.sleep(1)
    except Exception:
        logging.exception("job %s failed", job)


async def plain(job: str) -> None:
    await asyncio.sleep(1)


async def start(job: str) -> None:
    asyncio.create_task(guarded(job))
    asyncio.create_task(plain(job))
    kept = asyncio.create_task(guarded(job))
    kept.add_done_callback(lambda t: None)
'''


def test_a_dropped_task_says_what_is_at_stake() -> None:
    from asyncdoctor.check import Config, check_source

    found = {f.line: f for f in check_source(TASKS, config=Config(cache=False, preview=True))}
    assert "(its errors are handled inside it)" in found[18].message and not found[18].preview
    assert "its errors are lost" in found[19].message and not found[19].preview
    # a done callback handles the result, even of a task that handles its own errors: preview
    assert "given a done callback" in found[20].message and found[20].preview
