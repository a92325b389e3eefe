"""Where SARIF and GitHub annotations point, files that could not be checked, empty runs.

* SARIF ``artifactLocation.uri`` and GitHub ``file=`` are relative to the top
  of the git repository (found by walking up to ``.git``, a directory or a
  worktree's file), whatever the working directory and however the paths are
  given; outside a repository, to the working directory.
* Files that could not be checked are in the JSON and in SARIF (as tool
  notifications with descriptors), and the summary says what to do about
  newer syntax and internal errors.
* A run with no Python file to check is an input error, unless every file
  named was excluded by ``--force-exclude`` (pre-commit).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from asyncdoctor.check._models import CheckResult, FileError
from asyncdoctor.cli import _main, main

from .conftest import FakeEngine

BLOCKING = "import time\n\nasync def handler():\n    time.sleep(1)\n"


def write(path: Path, text: str = BLOCKING) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree with no pyproject.toml: ``src/app/x.py`` has a finding."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / "src" / "app" / "x.py")
    return root


def sarif_uris(out: str) -> tuple[list[dict[str, Any]], str]:
    run = json.loads(out)["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    return uris, run["originalUriBaseIds"]["%SRCROOT%"]["uri"]


@pytest.mark.parametrize(
    ("cwd", "path"),
    [
        (".", "src"),             # from the top, a folder below it
        ("src", "."),             # from inside, as `cd src && asyncdoctor check .`
        ("src/app", "x.py"),      # one file, from its own folder
        ("..", "repo/src"),       # from outside the repository
        ("..", "ABSOLUTE"),       # an absolute path
    ],
)
def test_sarif_and_github_paths_are_relative_to_the_repository(
    repo: Path, cwd: str, path: str, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(repo / cwd)
    target = str(repo / "src") if path == "ABSOLUTE" else path
    assert main(["check", "--format", "sarif", target]) == 1
    uris, base = sarif_uris(capsys.readouterr().out)
    assert uris == [{"uri": "src/app/x.py", "uriBaseId": "%SRCROOT%"}]
    assert base == repo.as_uri() + "/"
    assert main(["check", "--format", "github", target]) == 1
    assert capsys.readouterr().out.startswith("::warning file=src/app/x.py,line=4,")


def test_a_worktree_or_submodule_top_has_a_git_file(
    tmp_path: Path, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "worktree"
    write(root / ".git", "gitdir: /elsewhere/.git/worktrees/w\n")
    write(root / "pkg" / "m.py")
    monkeypatch.chdir(root / "pkg")
    assert main(["check", "--format", "sarif", "."]) == 1
    assert sarif_uris(capsys.readouterr().out)[0] == [
        {"uri": "pkg/m.py", "uriBaseId": "%SRCROOT%"}
    ]


def test_outside_a_repository_paths_are_relative_to_the_working_directory(
    tmp_path: Path, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if any((parent / ".git").exists() for parent in tmp_path.parents):
        pytest.skip("the temporary directory is inside a git work tree")
    write(tmp_path / "proj" / "src" / "app" / "x.py")
    monkeypatch.chdir(tmp_path / "proj")
    assert main(["check", "--format", "sarif", "src"]) == 1
    uris, base = sarif_uris(capsys.readouterr().out)
    assert uris == [{"uri": "src/app/x.py", "uriBaseId": "%SRCROOT%"}]
    assert base == (tmp_path / "proj").as_uri() + "/"
    assert main(["check", "--format", "github", "src"]) == 1
    assert capsys.readouterr().out.startswith("::warning file=src/app/x.py,")


def test_files_outside_the_root_get_absolute_uris(
    repo: Path, tmp_path: Path, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = write(tmp_path / "elsewhere" / "y.py")
    monkeypatch.chdir(repo)
    assert main(["check", "--format", "sarif", "src", str(other)]) == 1
    uris, _ = sarif_uris(capsys.readouterr().out)
    assert {"uri": other.as_uri()} in uris


# --- files that could not be checked -----------------------------------------------------------

ERRORS = (
    FileError("/r/a.py", "newer-python",
              "uses Python 3.14 syntax (a t-string, `t\"...\"`); asyncdoctor is running on 3.11", 2, 5),
    FileError("/r/b.py", "newer-python",
              "uses Python 3.12 syntax (a `type` statement); asyncdoctor is running on 3.11", 1, 1),
    FileError("/r/c.py", "internal", "RuntimeError: boom"),
    FileError("/r/d.py", "syntax", "invalid syntax", 3, 4),
)


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch, fake_registry: object) -> None:
    def check_paths(paths: Any, config: Any, *, progress: Any = None) -> CheckResult:
        return CheckResult(findings=(), errors=ERRORS, files_checked=6, lines_checked=60)

    monkeypatch.setattr(_main, "_check_paths", check_paths)


def test_the_summary_says_how_to_check_newer_syntax(
    project: Path, failing: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "src").mkdir()
    assert main(["check", "src", "--select", "ADC1"]) == 2
    out, err = capsys.readouterr()
    assert "a.py:2:5: error: uses Python 3.14 syntax (a t-string, `t\"...\"`); asyncdoctor is " \
           "running on 3.11\n" in out
    assert "c.py: error: internal error: RuntimeError: boom\n" in out
    assert err.splitlines() == [
        "No problems found; 4 files could not be checked (6 files checked).",
        "2 files use the syntax of a newer Python: run asyncdoctor with Python 3.14 or newer, "
        "e.g. `python3.14 -m asyncdoctor check src --select ADC1` or "
        "`pipx run --python 3.14 asyncdoctor check src --select ADC1`.",
        "asyncdoctor failed on 1 file (an internal error is a bug in asyncdoctor: please report "
        "it with the message); the other files were checked.",
    ]


def test_quiet_keeps_the_errors_and_drops_the_hints(
    project: Path, failing: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "-q"]) == 2
    out, err = capsys.readouterr()
    assert out.count(": error: ") == 4
    assert err == ""


def test_sarif_notifications_refer_to_their_descriptors(
    project: Path, failing: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--format", "sarif"]) == 2
    run = json.loads(capsys.readouterr().out)["runs"][0]
    descriptors = run["tool"]["driver"]["notifications"]
    assert [d["id"] for d in descriptors] == ["internal", "newer-python", "syntax"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == len(ERRORS)
    for note in notes:
        reference = note["descriptor"]
        assert descriptors[reference["index"]]["id"] == reference["id"]
        assert note["level"] == "error"
        assert note["message"]["text"]
        location = note["locations"][0]["physicalLocation"]
        assert set(location) <= {"artifactLocation", "region"}


# --- nothing to check ---------------------------------------------------------------------------


def test_an_empty_directory_is_an_input_error(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "empty").mkdir()
    write(project / "empty" / "notes.txt", "not python\n")
    assert main(["check", "empty"]) == 2
    assert capsys.readouterr().err == (
        "asyncdoctor: no Python files found in 'empty' (none there, or all excluded)\n"
    )
    assert main(["check", "--exit-zero", "--format", "json", "empty"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []  # the output stays valid for the tools reading it
    assert captured.err.startswith("asyncdoctor: no Python files found in 'empty'")


def test_files_all_excluded_by_force_exclude_are_fine(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    # pre-commit passes the changed files; when they are all excluded there is nothing to do.
    write(project / "pyproject.toml", '[tool.asyncdoctor]\nexclude = ["gen/"]\n')
    write(project / "gen" / "a.py")
    assert main(["check", "--force-exclude", "gen/a.py"]) == 0
    assert capsys.readouterr().err == (
        "No files checked: every file given is excluded (--force-exclude).\n"
    )
    assert main(["check", "--force-exclude", "-q", "gen/a.py"]) == 0
    assert capsys.readouterr().err == ""


def test_a_directory_whose_files_are_all_excluded_is_an_input_error(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.asyncdoctor]\nexclude = ["gen/"]\n')
    write(project / "gen" / "a.py")
    os.makedirs(project / "pkg")
    assert main(["check", "pkg"]) == 2
    assert "no Python files found in 'pkg'" in capsys.readouterr().err
