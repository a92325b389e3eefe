"""``asyncdoctor run`` runs a program exactly as ``python`` would, and adds only its report.

Each behaviour test runs the same program twice in subprocesses, as ``python prog.py`` and as
``python -m asyncdoctor run prog.py``, and compares exit code, stdout and stderr byte for
byte: nothing is normalised, so no frame of the runner may show in a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from asyncdoctor.cli import main

TIMEOUT = 60


def _write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHONASYNCIODEBUG", "PYTHONDEVMODE", "PYTHONWARNINGS"))
    }
    environment.update(env or {})
    return environment


def _start(cwd: Path, args: tuple[str, ...], env: dict[str, str] | None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(env),
    )


def _finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _python(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return _finish(_start(cwd, args, env))


def _doctor(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return _python(cwd, "-m", "asyncdoctor", "run", *args, env=env)


def _compare(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` and ``asyncdoctor run ARGS`` side by side; they must not differ."""
    plain = _start(cwd, args, env)
    doctored = _start(cwd, ("-m", "asyncdoctor", "run", *args), env)
    _same(_finish(plain), result := _finish(doctored))
    return result


def _same(
    plain: subprocess.CompletedProcess[str], doctored: subprocess.CompletedProcess[str]
) -> None:
    assert doctored.stdout == plain.stdout
    assert doctored.stderr == plain.stderr
    assert doctored.returncode == plain.returncode


PROGRAMS = {
    "exit-code": """
        import sys
        print("out")
        print("err", file=sys.stderr)
        sys.exit(3)
    """,
    "exit-message": """
        import sys
        print("before")
        raise SystemExit("fatal: no config")
    """,
    "exit-none": """
        raise SystemExit(None)
    """,
    "exception": """
        def parse(text):
            return int(text)

        def load():
            try:
                parse("x")
            except ValueError as exc:
                raise RuntimeError("cannot load") from exc

        print("starting")
        load()
    """,
    "keyboard-interrupt": """
        print("working", flush=True)
        raise KeyboardInterrupt
    """,
    "syntax-error": """
        def broken(:
            pass
    """,
    "asyncio": """
        import asyncio
        import sys

        async def square(n):
            await asyncio.sleep(0)
            return n * n

        async def main():
            results = await asyncio.gather(*(square(n) for n in range(50)))
            print(sum(results))
            print(await asyncio.to_thread(sum, range(10)), file=sys.stderr)
            return 0

        raise SystemExit(asyncio.run(main()))
    """,
    "asyncio-exception": """
        import asyncio

        async def fetch():
            await asyncio.sleep(0)
            raise ConnectionError("refused")

        asyncio.run(fetch())
    """,
    "threads-and-atexit": """
        import atexit
        import sys
        import threading
        import time

        atexit.register(lambda: print("atexit ran", file=sys.stderr))

        def late():
            time.sleep(0.05)
            print("thread finished after the main module")

        threading.Thread(target=late).start()
        print("main module done")
    """,
    "excepthook": """
        import sys

        def hook(kind, value, tb):
            print(f"custom hook: {kind.__name__}: {value}; first frame line {tb.tb_lineno}")

        sys.excepthook = hook
        raise LookupError("missing")
    """,
    "resource-at-exit": """
        import socket

        # collected while the interpreter finalises, after the report: python ignores its
        # ResourceWarning, and so must the doctor's warning filters by then
        listener = socket.socket()
        print("leaving it open")
    """,
    "main-module": """
        import __main__
        import pickle
        import sys

        class Point:
            def __init__(self, x):
                self.x = x

        print(__name__, __main__.__dict__ is globals(), sys.modules["__main__"] is __main__)
        print(pickle.loads(pickle.dumps(Point(3))).x)
        print(sorted(k for k in globals() if k.startswith("__")))
        print(type(__loader__).__name__, __spec__, __package__, __cached__)
        print(__builtins__ is __import__("builtins"))
        annotations_future = getattr(__import__("__future__"), "annotations").compiler_flag
        print(bool(sys._getframe().f_code.co_flags & annotations_future))
    """,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_program_behaves_as_under_python(tmp_path: Path, name: str) -> None:
    script = _write(tmp_path, "prog.py", PROGRAMS[name])
    _compare(tmp_path, script.name)


def test_keyboard_interrupt_kills_with_sigint_as_python_does(tmp_path: Path) -> None:
    script = _write(tmp_path, "prog.py", PROGRAMS["keyboard-interrupt"])
    result = _compare(tmp_path, script.name)
    if os.name == "posix":
        assert result.returncode == -2  # killed by SIGINT, as the shell's 130


def test_argv_path_and_file_are_python_s(tmp_path: Path) -> None:
    _write(tmp_path, "lib/helper.py", "VALUE = 'helper from the script folder'\n")
    script = _write(
        tmp_path,
        "app/../lib/show.py",
        """
        import os
        import sys
        import helper
        print(sys.argv)
        print(sys.path[0])
        print(__file__)
        print(helper.VALUE)
        """,
    )
    args = ("app/../lib/show.py", "--threshold", "5", "-m", "x", "--", "--report")
    assert script.exists()
    lines = _compare(tmp_path, *args).stdout.splitlines()
    assert lines[0] == repr(list(args))
    assert lines[1] == str((tmp_path / "lib").resolve())
    assert lines[2] == str(tmp_path / "app/../lib/show.py")


def test_dash_m_runs_a_module_as_python_does(tmp_path: Path) -> None:
    _write(tmp_path, "shop/__init__.py", "print('package imported')\n")
    _write(
        tmp_path,
        "shop/cli.py",
        """
        import sys
        print(sys.argv[1:], sys.argv[0].endswith("cli.py"), sys.path[0], __name__, __spec__.name)

        def checkout(cart):
            return cart["total"]

        if sys.argv[1:] == ["--crash"]:
            checkout({})
        """,
    )
    _compare(tmp_path, "-m", "shop.cli", "--quiet", "x")
    crash = _compare(tmp_path, "-m", "shop.cli", "--crash")
    assert "KeyError: 'total'" in crash.stderr
    assert "<frozen runpy>" in crash.stderr  # python -m shows runpy's frames; so do we


def test_dash_m_runs_a_package_main_and_missing_modules_fail_as_with_python(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "tool/__init__.py", "")
    _write(tmp_path, "tool/__main__.py", "import sys; print('tool', sys.argv[1:])\n")
    _compare(tmp_path, "-m", "tool", "a")
    assert _compare(tmp_path, "-m", "no_such_mod").returncode == 1


def test_a_directory_with_a_main_runs_as_with_python(tmp_path: Path) -> None:
    _write(tmp_path, "bundle/__main__.py", "import sys; print(sys.argv, sys.path[0] != '')\n")
    _compare(tmp_path, "bundle", "x")


BLOCKING = """\
import asyncio
import time


async def handler():
    time.sleep(0.3)


asyncio.run(handler())
print("done")
"""
BLOCKING_LINE = 6


def test_report_is_written_as_json_with_the_contract_keys(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    script = _write(tmp_path, "prog.py", BLOCKING)
    result = _doctor(tmp_path, "--threshold", "0.05", "--report", "out/report.json", script.name)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n"
    assert f"prog.py:{BLOCKING_LINE}" in result.stderr  # the human summary
    data = json.loads((tmp_path / "out/report.json").read_text(encoding="utf-8"))
    assert set(data) >= {"findings", "metrics"}
    (finding,) = [f for f in data["findings"] if f["kind"] == "blocking-call"]
    assert {"kind", "message", "location", "stack", "count", "duration"} <= set(finding)
    assert finding["location"]["line"] == BLOCKING_LINE
    assert Path(finding["location"]["path"]).name == "prog.py"
    assert finding["location"]["function"] == "handler"
    assert all(set(frame) == {"path", "line", "function"} for frame in finding["stack"])


UVLOOP_PROGRAM = """\
import asyncio
import time

import uvloop


async def lost():
    raise ValueError("nobody looks")  # line 8


async def main():
    task = asyncio.get_running_loop().create_task(lost())
    await asyncio.sleep(0.01)
    time.sleep(0.2)  # line 14
    del task


uvloop.run(main())
print("done")
"""


def test_run_on_uvloop_finds_blocking_and_lost_exceptions(tmp_path: Path) -> None:
    pytest.importorskip("uvloop")
    (tmp_path / "out").mkdir()
    script = _write(tmp_path, "prog.py", UVLOOP_PROGRAM)
    result = _doctor(tmp_path, "--report", "out/report.json", script.name)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n"
    data = json.loads((tmp_path / "out/report.json").read_text(encoding="utf-8"))
    found = {(f["kind"], f["location"]["line"]) for f in data["findings"]}
    assert ("blocking-call", 14) in found, data["findings"]
    assert ("unretrieved-exception", 8) in found, data["findings"]


KEPT_TASK = """\
import asyncio

jobs = []


async def refresh(key):
    await asyncio.sleep(0.01)
    return {"a": 1}[key]  # line 8


async def main():
    jobs.append(asyncio.ensure_future(refresh("missing")))
    await asyncio.sleep(0.05)
    print("scheduled", len(jobs))


asyncio.run(main())
"""


def test_a_failed_task_still_referenced_at_exit_is_reported(tmp_path: Path) -> None:
    # asyncio reports it only when the task is destroyed, while the interpreter shuts
    # down: after the doctor's report, which must still have it; asyncio's own message
    # must still come, as without the doctor.
    (tmp_path / "out").mkdir()
    script = _write(tmp_path, "prog.py", KEPT_TASK)
    result = _doctor(tmp_path, "--report", "out/report.json", script.name)
    plain = _python(tmp_path, script.name)
    assert result.stdout == plain.stdout == "scheduled 1\n"
    # what the interpreter prints at shutdown (3.11, 3.12: asyncio's message; 3.13: a
    # logging error, as it is already shutting down) comes after the doctor's summary
    addresses = re.compile(r"0x[0-9a-fA-F]+")
    assert addresses.sub("0x", result.stderr).endswith(addresses.sub("0x", plain.stderr))
    data = json.loads((tmp_path / "out/report.json").read_text(encoding="utf-8"))
    found = [(f["kind"], f["location"]["line"]) for f in data["findings"]]
    assert found == [("unretrieved-exception", 8)], data["findings"]


@pytest.mark.parametrize("how", ["console-script", "dash-m"])
def test_launcher_frames_are_not_in_stacks(tmp_path: Path, how: str) -> None:
    # Neither the `asyncdoctor` console script, nor runpy (of `python -m asyncdoctor`
    # or of the `-m module` we imitate), nor our runner is part of the program.
    (tmp_path / "out").mkdir()
    _write(tmp_path, "prog.py", BLOCKING)
    options = ("--threshold", "0.05", "--report", "out/report.json")
    if how == "console-script":
        launcher = _write(
            tmp_path / "bin",
            "asyncdoctor",
            "import sys\nfrom asyncdoctor.cli import main\nsys.exit(main())\n",
        )
        result = _python(tmp_path, str(launcher), "run", *options, "prog.py")
    else:
        result = _doctor(tmp_path, *options, "-m", "prog")
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "out/report.json").read_text(encoding="utf-8"))
    (finding,) = [f for f in data["findings"] if f["kind"] == "blocking-call"]
    assert finding["location"]["line"] == BLOCKING_LINE
    paths = [frame["path"] for frame in finding["stack"]]
    assert Path(paths[0]).name == "prog.py", paths  # the program's <module> is outermost
    assert not [p for p in paths if "runpy" in p or "asyncdoctor" in p], paths


def test_fail_on_changes_the_exit_code_only_when_the_kind_occurred(tmp_path: Path) -> None:
    script = _write(tmp_path, "prog.py", BLOCKING)
    options = ("--threshold", "0.05", "--quiet")
    failing = _doctor(tmp_path, *options, "--fail-on", "blocking-call", script.name)
    assert failing.returncode == 1
    assert failing.stdout == "done\n"
    assert _doctor(tmp_path, *options, "--fail-on", "any", script.name).returncode == 1
    other = _doctor(tmp_path, *options, "--fail-on", "never-awaited,pending-task", script.name)
    assert other.returncode == 0
    assert other.stderr == ""  # --quiet
    disabled = _doctor(
        tmp_path, *options, "--disable", "blocking-call", "--fail-on", "any", script.name
    )
    assert disabled.returncode == 0


def test_fail_on_keeps_a_failing_program_s_own_code(tmp_path: Path) -> None:
    script = _write(tmp_path, "prog.py", BLOCKING.replace('print("done")', "raise SystemExit(4)"))
    result = _doctor(tmp_path, "--threshold", "0.05", "--fail-on", "any", script.name)
    assert result.returncode == 4


def test_summary_only_when_something_was_found(tmp_path: Path) -> None:
    script = _write(tmp_path, "prog.py", PROGRAMS["asyncio"])
    assert _doctor(tmp_path, script.name).stderr == "45\n"  # the program's own stderr
    forced = _doctor(tmp_path, "--always-report", script.name)
    assert forced.stderr.startswith("45\n")
    assert "asyncdoctor: no problems found" in forced.stderr


def test_a_failing_doctor_says_so_once_and_the_program_goes_on(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "hooks/sitecustomize.py",
        """
        import asyncdoctor.runtime

        def broken(*args, **kwargs):
            raise RuntimeError("cannot hook the loop")

        asyncdoctor.runtime.install = broken
        """,
    )
    script = _write(tmp_path, "prog.py", PROGRAMS["exit-code"])
    env = {"PYTHONPATH": str(tmp_path / "hooks")}
    plain = _python(tmp_path, script.name, env=env)
    doctored = _doctor(tmp_path, script.name, env=env)
    assert doctored.returncode == plain.returncode == 3
    assert doctored.stdout == plain.stdout
    # said when it happened, before the program's first line ran
    assert doctored.stderr == (
        "asyncdoctor: doctor failed: RuntimeError: cannot hook the loop\n" + plain.stderr
    )


# --- usage errors: one line, exit 2 (in-process: nothing runs) ----------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "nothing to run"),
        (["--"], "nothing to run"),
        (["missing.py"], "can't open file 'missing.py'"),
        (["--bogus", "x.py"], "unrecognized arguments: --bogus"),
        (["--threshold", "soon", "x.py"], "is not a number of seconds"),
        (["--threshold", "0", "x.py"], "must be a positive number"),
        (["--disable", "blocking", "x.py"], "did you mean 'blocking-call'?"),
        (["--fail-on", "everything", "x.py"], "unknown kind 'everything'"),
        (["-m"], "expected"),
        (["--report", "no/such/folder/r.json", "x.py"], "does not exist"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert main(["run", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("asyncdoctor: ")
    assert captured.err.count("\n") == 1
    assert message in captured.err


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--threshold", "--disable", "--report", "--fail-on", "--quiet", "-m"):
        assert option in text
    from asyncdoctor.cli._run import HELP_KINDS
    from asyncdoctor.runtime import KINDS

    assert HELP_KINDS == KINDS
    flat = " ".join(text.split())
    assert f"Detector kinds (for --disable and --fail-on): {', '.join(KINDS)}." in flat
    assert main(["--help"]) == 0
    assert "run" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["app.py"],
        ["app.py", "--threshold", "5", "-q"],
        ["--threshold", "50ms", "app.py"],
        ["--threshold=0.2", "--blocking-threshold", "0.3", "app.py"],
        ["--disable", "pending-task,never-awaited", "--disable=unclosed-resource", "app.py"],
        ["--fail-on", "any", "--fail-on=blocking-call", "--report", "r.json", "app.py"],
        ["-q", "--always-report", "--quiet", "--", "app.py", "--threshold", "1"],
        ["--no-follow", "--metrics", "9464", "app.py"],
        ["-m", "pkg.mod", "--x", "-q"],
        ["-mpkg", "a", "b"],
        ["--report=out.json", "-m", "http.server", "8000"],
        ["-", "arg"],
    ],
)
def test_the_quick_parser_agrees_with_argparse(argv: list[str]) -> None:
    # `run` parses well-formed command lines without argparse (start-up time); both
    # must read them the same way.
    from asyncdoctor.cli._run import _parse_quickly, _parser

    quick = _parse_quickly(argv)
    assert quick is not None
    assert vars(quick) == vars(_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["-h"],
        ["--thresh", "5", "app.py"],  # an abbreviation: argparse says it is unknown
        ["--threshold", "zero", "app.py"],
        ["--threshold", "-1", "app.py"],
        ["--threshold"],
        ["--report"],
        ["-m"],
        ["-m", "-x"],
        ["--quiet=yes", "app.py"],
        ["-qm", "mod"],
        ["--nope", "app.py"],
    ],
)
def test_the_quick_parser_leaves_the_rest_to_argparse(argv: list[str]) -> None:
    from asyncdoctor.cli._run import _parse_quickly

    assert _parse_quickly(argv) is None


def test_run_does_not_import_argparse_for_a_well_formed_command(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text("import sys\nprint('argparse' in sys.modules)\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "asyncdoctor", "run", "-q", str(script)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "False\n", "")
