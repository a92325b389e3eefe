"""The ``asyncdoctor`` command, run in-process with a fake engine and registry.

The tests marked ``# needs engine`` run the real checker and rules.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from asyncdoctor import __version__
from asyncdoctor.cli import main
from asyncdoctor.cli._progress import ProgressBar

from .conftest import FakeEngine

BLOCKING = "import time\n\nasync def handler():\n    time.sleep(1)\n"
CLEAN = "import asyncio\n\nasync def handler():\n    await asyncio.sleep(1)\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_line(text: str) -> str:
    """The single line of ``text`` (an error message must be exactly one line)."""
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


# --- top level ----------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"asyncdoctor {__version__}\n"


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "check" in out and "rules" in out and "run" in out


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    assert "--exit-zero" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--bogus"], "asyncdoctor: unrecognized arguments: --bogus"),
        (["check", "--format", "xml"], "asyncdoctor: argument --format: invalid choice: 'xml'"),
        (["check", "--jobs", "0"], "asyncdoctor: argument --jobs/-j: must be at least 1, got 0"),
        (["check", "--jobs", "x"], "asyncdoctor: argument --jobs/-j: 'x' is not a whole number"),
        (["check", "--sel", "ADC1"], "asyncdoctor: unrecognized arguments: --sel ("),
        (["frobnicate"], "asyncdoctor: argument COMMAND: invalid choice: 'frobnicate'"),
        (["rule"], "asyncdoctor: the following arguments are required: CODE_OR_NAME"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err).startswith(message)
    assert f"(see '{expected_prog(argv)} --help')" in captured.err


def expected_prog(argv: list[str]) -> str:
    return f"asyncdoctor {argv[0]}" if argv[0] in ("check", "rule") else "asyncdoctor"


# --- check: exit codes and errors ---------------------------------------------------------------


def test_findings_exit_1_with_lines_and_summary(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "src" / "app.py", BLOCKING)
    write(project / "src" / "ok.py", CLEAN)
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "src/app.py:4:5: ADC101 `time.sleep` blocks the event loop\n"
    assert captured.err == "Found 1 problem in 1 file (2 files checked).\n"
    assert engine.calls[0][0] == [Path(".")]


def test_clean_exit_0(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "ok.py", CLEAN)
    assert main(["check", "ok.py"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "All checks passed (1 file checked).\n"


def test_exit_zero(project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", BLOCKING)
    assert main(["check", "--exit-zero"]) == 0
    assert "ADC101" in capsys.readouterr().out


def test_unreadable_files_are_reported_and_exit_2_even_with_exit_zero(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", BLOCKING)
    write(project / "broken.py", "def f(:\n")
    assert main(["check", "--exit-zero"]) == 2
    captured = capsys.readouterr()
    assert "broken.py:1:7: error: syntax error: " in captured.out
    assert captured.err == (
        "Found 1 problem in 1 file; 1 file could not be checked (2 files checked).\n"
    )


def test_missing_path(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "nope"]) == 2
    assert capsys.readouterr().err == "asyncdoctor: path 'nope' does not exist\n"
    assert engine.calls == []


def test_broken_pyproject(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", "[tool.asyncdoctor\nselect = 1\n")
    assert main(["check"]) == 2
    assert one_line(capsys.readouterr().err).startswith(
        "asyncdoctor: pyproject.toml: invalid TOML: "
    )


def test_invalid_option_in_pyproject(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", "[tool.asyncdoctor]\nselct = []\n")
    assert main(["check"]) == 2
    assert capsys.readouterr().err == (
        "asyncdoctor: pyproject.toml: [tool.asyncdoctor] 'selct' is not a known option"
        " (did you mean 'select'?)\n"
    )


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_selector_on_the_command_line(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    assert main(["check", option, "ADC1,XYZ"]) == 2
    assert capsys.readouterr().err == "asyncdoctor: unknown rule selector 'XYZ'\n"
    assert engine.calls == []


def test_unknown_selector_in_pyproject(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.asyncdoctor]\nignore = ["blockin"]\n')
    assert main(["check"]) == 2
    assert capsys.readouterr().err == (
        "asyncdoctor: unknown rule selector 'blockin' (did you mean 'blocking'?)\n"
    )


def test_unknown_selector_in_per_file_ignores(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.asyncdoctor.per-file-ignores]\n"a.py" = ["NOPE"]\n')
    assert main(["check"]) == 2
    assert capsys.readouterr().err == "asyncdoctor: unknown rule selector 'NOPE'\n"
    assert engine.calls == []


def test_unwritable_output_file(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "ok.py", CLEAN)
    assert main(["check", "--output-file", "no/such/dir/out.txt"]) == 2
    assert one_line(capsys.readouterr().err).startswith(
        "asyncdoctor: cannot write 'no/such/dir/out.txt': "
    )


# --- check: options reach the configuration -----------------------------------------------------


def test_command_line_overrides_and_extends_the_configuration(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project / "pyproject.toml",
        """[tool.asyncdoctor]
select = ["blocking"]
extend-select = ["ADC301"]
ignore = ["ADC102"]
exclude = ["gen"]
extend-exclude = ["old"]
""",
    )
    write(project / "src" / "ok.py", CLEAN)
    argv = [
        "check",
        "src",
        "--ignore",
        "ADC201",
        "--extend-select=coroutines",
        "--extend-exclude",
        "a,b",
    ]
    assert main(argv) == 0
    config = engine.config
    assert config.root == project
    assert config.select == ("blocking",)
    assert config.extend_select == ("ADC301", "coroutines")
    assert config.ignore == ("ADC102", "ADC201")
    assert (config.exclude, config.extend_exclude) == (("gen",), ("old", "a", "b"))

    assert main(["check", "src", "--select", "ADC1", "--select", "ADC2", "--exclude", "x"]) == 0
    config = engine.config
    assert (config.select, config.extend_select) == (("ADC1", "ADC2"), ())
    assert config.ignore == ("ADC102",)
    assert config.exclude == ("x",)


def test_performance_options(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "ok.py", CLEAN)
    assert main(["check", "--no-cache", "--cache-dir", "cache", "-j", "3", "--force-exclude"]) == 0
    config = engine.config
    assert (config.cache, config.cache_dir, config.jobs) == (False, project / "cache", 3)
    assert config.force_exclude


def test_explicit_config_file(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "ci.toml", 'ignore = ["ADC101"]\n')
    write(project / "app.py", BLOCKING)
    assert main(["check", "--config", "ci.toml"]) == 0
    assert engine.config.config_file == project / "ci.toml"
    assert main(["check", "--config", "missing.toml"]) == 2
    assert capsys.readouterr().err.endswith(
        "asyncdoctor: config file 'missing.toml' does not exist\n"
    )


def test_per_file_ignores_and_selection_apply(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project / "pyproject.toml",
        '[tool.asyncdoctor.per-file-ignores]\n"legacy/" = ["blocking"]\n',
    )
    write(project / "legacy" / "old.py", BLOCKING)
    write(project / "app.py", BLOCKING)
    assert main(["check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "app.py:4:5: ADC101 `time.sleep` blocks the event loop"
    ]
    assert main(["check", "--ignore", "blocking-call"]) == 0


def test_config_is_found_from_the_paths_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: FakeEngine
) -> None:
    write(tmp_path / "proj" / "pyproject.toml", '[tool.asyncdoctor]\nignore = ["ADC201"]\n')
    write(tmp_path / "proj" / "pkg" / "a.py", CLEAN)
    write(tmp_path / "proj" / "pkg" / "b.py", CLEAN)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["check", "../proj/pkg/a.py", "../proj/pkg/b.py"]) == 0
    assert engine.config.root == tmp_path / "proj"
    assert engine.config.ignore == ("ADC201",)


# --- check: formats and output ------------------------------------------------------------------


def test_json_format(project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", BLOCKING)
    write(project / "broken.py", "def f(:\n")
    assert main(["check", "--format", "json"]) == 2
    captured = capsys.readouterr()
    item, error = json.loads(captured.out)
    assert (item["path"], item["line"], item["code"]) == ("app.py", 4, "ADC101")
    # the file that could not be checked, as ruff gives it: no code, and a kind
    assert error == {
        "path": "broken.py", "line": 1, "column": 7, "code": None, "kind": "syntax",
        "message": "syntax error: invalid syntax",
    }
    assert "broken.py:1:7: error: syntax error" in captured.err  # and on stderr for people


def test_sarif_format(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "src" / "app.py", BLOCKING)
    assert main(["check", "--format=sarif"]) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    (result,) = run["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "ADC101"


def test_github_format(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", BLOCKING)
    assert main(["check", "--format", "github"]) == 1
    assert capsys.readouterr().out.startswith(
        "::warning file=app.py,line=4,col=5,endLine=4,endColumn=18,title=ADC101 (blocking-call)::"
    )


def test_output_file(project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", BLOCKING)
    assert main(["check", "-o", "report.json", "--format", "json", "--color", "always"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("Found 1 problem")
    assert json.loads((project / "report.json").read_text(encoding="utf-8"))[0]["code"] == "ADC101"
    assert main(["check", "-o", "report.txt"]) == 1
    assert (project / "report.txt").read_text(encoding="utf-8").startswith("app.py:4:5: ADC101 ")


def test_statistics(project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "a.py", BLOCKING)
    write(project / "b.py", BLOCKING + BLOCKING.replace("handler", "other"))
    assert main(["check", "--statistics"]) == 1
    assert capsys.readouterr().out == "3  ADC101  blocking-call\n"
    assert main(["check", "--statistics", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"code": "ADC101", "name": "blocking-call", "count": 3}
    ]


def test_quiet(project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", BLOCKING)
    assert main(["check", "-q"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("app.py:4:5: ADC101")
    assert captured.err == ""


def test_show_source(project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "app.py", BLOCKING)
    assert main(["check", "--show-source"]) == 1
    assert "4 |     time.sleep(1)\n" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "env", "colored"),
    [
        ([], {}, False),  # capsys is not a terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color(
    project: Path,
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    env: dict[str, str],
    colored: bool,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    write(project / "app.py", BLOCKING)
    assert main(["check", *argv]) == 1
    assert ("\x1b[" in capsys.readouterr().out) is colored


# --- progress -----------------------------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app.py", CLEAN)
    engine.reported_total = 10_000
    assert main(["check"]) == 0
    assert capsys.readouterr().err == "All checks passed (1 file checked).\n"


def test_progress_bar_threshold_and_lazy_rich() -> None:
    stream = io.StringIO()
    with ProgressBar(stream=stream, enabled=True, threshold=200) as bar:
        bar(1, 10)
        assert bar._progress is None  # too few files: rich is not even started
        bar(1, 500)
        assert bar._progress is not None
        bar(500, 500)
    assert bar._progress is None
    with ProgressBar(stream=stream, enabled=False) as off:
        off(1, 10_000)
        assert off._progress is None


# --- rules and rule -----------------------------------------------------------------------------


def test_rules_table(fake_registry: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "CATEGORY", "SUMMARY"]
    assert lines[1].split()[:3] == ["ADC101", "blocking-call", "blocking"]
    assert lines[1].endswith("A blocking call inside an async function.")
    assert len(lines) == 5


def test_rules_json(fake_registry: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0] == {
        "code": "ADC101",
        "name": "blocking-call",
        "category": "blocking",
        "summary": "A blocking call inside an async function.",
    }


@pytest.mark.parametrize("key", ["ADC101", "adc101", "blocking-call"])
def test_rule(fake_registry: object, capsys: pytest.CaptureFixture[str], key: str) -> None:
    assert main(["rule", key]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ADC101 blocking-call\n")
    assert "## What it does" in out


def test_unknown_rule(fake_registry: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "blocking-cal"]) == 2
    assert capsys.readouterr().err == (
        "asyncdoctor: unknown rule 'blocking-cal' (did you mean 'blocking-call'?)\n"
    )
    assert main(["rule", "zzzz"]) == 2
    assert capsys.readouterr().err == "asyncdoctor: unknown rule 'zzzz' (see 'asyncdoctor rules')\n"


# --- the real engine and rules ------------------------------------------------------------------


def test_rule_command_with_the_real_registry(capsys: pytest.CaptureFixture[str]) -> None:
    # needs engine (the real rules)
    assert main(["rule", "ADC101"]) == 0
    assert capsys.readouterr().out.startswith("# ADC101 blocking-call\n")
    assert main(["rules"]) == 0
    assert "ADC101" in capsys.readouterr().out


def test_check_with_the_real_engine(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # needs engine
    write(project / "app.py", BLOCKING)
    write(project / "ok.py", CLEAN)
    assert main(["check", "--no-cache"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("app.py:4:5: ADC101 ")
    assert captured.err == "Found 1 problem in 1 file (2 files checked).\n"


def test_python_dash_m_asyncdoctor(tmp_path: Path) -> None:
    # needs engine
    write(tmp_path / "pyproject.toml", "[tool.asyncdoctor]\ncache = false\n")
    write(tmp_path / "app.py", BLOCKING)
    env = {
        key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")
    }
    completed = subprocess.run(
        [sys.executable, "-m", "asyncdoctor", "check", "--format", "json", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    (item,) = json.loads(completed.stdout)
    assert (item["path"], item["line"], item["code"]) == ("app.py", 4, "ADC101")
    assert completed.stderr == "Found 1 problem in 1 file (1 file checked).\n"
    missing = subprocess.run(
        [sys.executable, "-m", "asyncdoctor", "check", "nope"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (missing.returncode, missing.stderr) == (2, "asyncdoctor: path 'nope' does not exist\n")


def test_pre_commit_hook_definition() -> None:
    hooks = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: asyncdoctor" in hooks
    assert "entry: asyncdoctor check" in hooks
    assert "require_serial: true" in hooks
    assert "types: [python]" in hooks
