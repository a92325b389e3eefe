"""``asyncdoctor top``: attaching, one-shot snapshots, errors, and the live view in a real terminal.

The programs looked at wait on events or sleep for long: what the snapshot
shows does not depend on timing. Each program is stopped by the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TIMEOUT = 60

TARGET = """
import asyncio

async def leaf():
    await asyncio.sleep(600)

async def mid():
    await leaf()

async def main():
    worker = asyncio.create_task(mid(), name="worker-1")
    print("ready", flush=True)
    await worker

asyncio.run(main())
"""


def _env(tmp_path: Path) -> dict[str, str]:
    # a live folder of the test's own: programs of other tests are not seen
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "XDG_RUNTIME_DIR": "",
            "TMPDIR": str(tmp_path)}


def _top(*args: str, tmp_path: Path, user: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "asyncdoctor", "top", *args], capture_output=True,
                          text=True, timeout=TIMEOUT, check=False, env=_env(tmp_path), cwd=tmp_path,
                          user=user)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    (tmp_path / "target.py").write_text(textwrap.dedent(TARGET))
    proc = subprocess.Popen([sys.executable, "target.py"], cwd=tmp_path, stdout=subprocess.PIPE,
                            text=True, env=_env(tmp_path))
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    time.sleep(0.2)  # the worker task reaches its sleep at the loop's next turn
    yield proc
    proc.kill()
    proc.wait(TIMEOUT)
    proc.stdout.close()


@pytest.mark.skipif(sys.version_info < (3, 14), reason="reading another process needs Python 3.14+")
def test_reads_any_python_process_by_pid(target: subprocess.Popen[str], tmp_path: Path) -> None:
    done = _top(str(target.pid), "--once", "--format", "json", tmp_path=tmp_path)
    if done.returncode == 2 and "not allowed" in done.stderr:
        pytest.skip(f"ptrace is not allowed here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    snapshot = json.loads(done.stdout)
    assert snapshot["source"] == "remote" and snapshot["pid"] == target.pid
    tasks = {t["name"]: t for t in snapshot["tasks"]}
    worker = tasks["worker-1"]
    assert [f["function"] for f in worker["stack"]][:2] == ["mid", "leaf"]
    main = [t for t in snapshot["tasks"] if t["coroutine"] == "main"]
    assert worker["awaited_by"] == [main[0]["id"]]
    text = _top(str(target.pid), "--once", tmp_path=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "└ worker-1" in text.stdout and "target.py:5" in text.stdout


def _can_run_as_nobody() -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    try:
        probe = subprocess.run([sys.executable, "-c", "import asyncdoctor"], user=65534, timeout=TIMEOUT,
                               capture_output=True, check=False, cwd="/")
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


@pytest.mark.skipif(sys.version_info < (3, 14), reason="reading another process needs Python 3.14+")
def test_another_users_process_is_refused_in_one_line(target: subprocess.Popen[str], tmp_path: Path) -> None:
    if not _can_run_as_nobody():
        pytest.skip("needs root, and this Python usable by another user")
    tmp_path.chmod(0o777)
    done = _top(str(target.pid), "--once", tmp_path=tmp_path, user=65534)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"asyncdoctor: process {target.pid} belongs to another user: asyncdoctor only reads your own processes"
    ]


def test_nothing_to_attach_to(tmp_path: Path) -> None:
    done = _top("--once", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "no program of yours runs with `asyncdoctor run --live`" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["abc"], "'abc' is not a process id"),
    (["--interval", "0"], "the interval must be between 0.1 and 60 seconds"),
])
def test_bad_arguments(args: list[str], message: str, tmp_path: Path) -> None:
    done = _top(*args, tmp_path=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_gone_process(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(proc.stdout)
    done = _top(str(pid), "--once", tmp_path=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_the_live_view_needs_a_terminal(target: subprocess.Popen[str], tmp_path: Path) -> None:
    if sys.version_info < (3, 14):
        pytest.skip("attaches by PID: Python 3.14+")
    done = _top(str(target.pid), tmp_path=tmp_path)
    assert done.returncode == 2
    assert "needs a terminal; use --once" in done.stderr


def _tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        pytest.skip("tmux is not installed")
    return tmux


@pytest.mark.skipif(sys.version_info < (3, 14), reason="attaches by PID: Python 3.14+")
def test_the_live_view_in_a_real_terminal(target: subprocess.Popen[str], tmp_path: Path) -> None:
    tmux = _tmux()
    session = f"adtop{os.getpid()}"
    env = _env(tmp_path)
    command = " ".join([sys.executable, "-m", "asyncdoctor", "top", str(target.pid), "--interval", "0.3",
                        ";", "echo", "top-exited-$?", ";", "sleep", "30"])
    socket_dir = tmp_path / "tmux"
    socket_dir.mkdir()
    base = [tmux, "-S", str(socket_dir / "sock")]
    subprocess.run([*base, "new-session", "-d", "-s", session, "-x", "140", "-y", "40", command],
                   env=env, check=True, timeout=TIMEOUT)
    try:
        screen = _wait_for_screen(base, session, "worker-1")
        assert "asyncdoctor top" in screen and "└ worker-1" in screen
        subprocess.run([*base, "send-keys", "-t", session, "/", "w", "o", "r", "k", "e", "r", "Enter"],
                       check=True, timeout=TIMEOUT)
        screen = _wait_for_screen(base, session, "filter: worker")
        assert "worker-1" in screen and "Task-1" not in screen  # the filter applies
        subprocess.run([*base, "send-keys", "-t", session, "q"], check=True, timeout=TIMEOUT)
        screen = _wait_for_screen(base, session, "top-exited-0")
    finally:
        subprocess.run([*base, "kill-server"], check=False, timeout=TIMEOUT, capture_output=True)


def _wait_for_screen(base: list[str], session: str, text: str) -> str:
    deadline = time.monotonic() + TIMEOUT
    screen = ""
    while time.monotonic() < deadline:
        screen = subprocess.run([*base, "capture-pane", "-p", "-t", session], capture_output=True,
                                text=True, check=True, timeout=TIMEOUT).stdout
        if text in screen:
            return screen
        time.sleep(0.1)
    pytest.fail(f"{text!r} never appeared on the screen:\n{screen}")


BLOCKING = """
import asyncio, os, sys, time

async def leaf():
    await asyncio.sleep(600)

async def main():
    worker = asyncio.create_task(leaf(), name="worker-1")
    await asyncio.sleep(0.05)
    print("blocking", flush=True)
    while not os.path.exists("release"):
        time.sleep(0.01)  # the loop is blocked here until the test releases it
    worker.cancel()

asyncio.run(main())
print("done")
"""


@pytest.fixture
def live_program(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    (tmp_path / "prog.py").write_text(textwrap.dedent(BLOCKING))
    proc = subprocess.Popen([sys.executable, "-m", "asyncdoctor", "run", "--live", "--threshold", "0.05",
                             "prog.py"], cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "blocking\n"
    yield proc
    (tmp_path / "release").touch()
    try:
        proc.wait(TIMEOUT)
    finally:
        proc.kill()
        proc.communicate()


def test_a_live_program_blocked_right_now(live_program: subprocess.Popen[str], tmp_path: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while True:  # the step counts as blocking once it has run past the threshold
        done = _top(str(live_program.pid), "--once", "--format", "json", tmp_path=tmp_path)
        assert done.returncode == 0, done.stderr
        snapshot = json.loads(done.stdout)
        [loop] = snapshot["loops"]
        if loop["blocked_for"] is not None:
            break
        assert time.monotonic() < deadline
    assert snapshot["source"] == "live" and snapshot["pid"] == live_program.pid
    assert loop["blocked_at"]["path"] == str(tmp_path / "prog.py")
    # sampled while the loop polls: on the sleep, or between two sleeps on the check itself
    assert loop["blocked_at"]["line"] in (11, 12) and loop["utilization_method"] == "poll"
    names = {t["name"]: t for t in snapshot["tasks"]}
    assert names["worker-1"]["stack"][0]["function"] == "leaf"
    assert snapshot["tasks"][0]["state"] == "running"  # the stuck one on top
    text = _top("--once", tmp_path=tmp_path)  # the only live program: found without a PID
    assert text.returncode == 0, text.stderr
    assert "worker-1" in text.stdout and "blocked" in text.stdout and "prog.py:12" in text.stdout


def test_the_live_socket_is_private_and_answers_only_readings(
        live_program: subprocess.Popen[str], tmp_path: Path) -> None:
    from asyncdoctor.runtime._live import ask

    folder = tmp_path / f"asyncdoctor-{os.geteuid()}"
    sock = folder / f"{live_program.pid}.sock"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct(sock.stat().st_mode & 0o777) == "0o600"
    for query in ("__import__('os').system('touch pwned')", "snapshot; report", "../report"):
        answer = ask(str(sock), query)
        assert answer["ok"] is False and "pwned" not in os.listdir(tmp_path)
    assert ask(str(sock), "snapshot")["ok"] is True  # and it still answers
    if _can_run_as_nobody():
        tmp_path.chmod(0o755)
        probe = subprocess.run(
            [sys.executable, "-c", "import socket, sys\ns = socket.socket(socket.AF_UNIX)\n"
             "try:\n    s.connect(sys.argv[1])\nexcept OSError as e:\n    print(type(e).__name__)\n"
             "else:\n    print('connected')", str(sock)],
            user=65534, capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd="/")
        assert probe.stdout.strip() == "PermissionError", probe


def test_the_live_view_of_a_live_program_in_a_real_terminal(
        live_program: subprocess.Popen[str], tmp_path: Path) -> None:
    tmux = _tmux()
    session = f"adlive{os.getpid()}"
    command = " ".join([sys.executable, "-m", "asyncdoctor", "top", "--interval", "0.3", ";",
                        "echo", "top-exited-$?", ";", "sleep", "30"])
    socket_dir = tmp_path / "tmux"
    socket_dir.mkdir()
    base = [tmux, "-S", str(socket_dir / "sock")]
    # The terminal's own size, not one inherited (pytest-xdist's workers set COLUMNS).
    env = {k: v for k, v in _env(tmp_path).items() if k not in ("COLUMNS", "LINES")}
    subprocess.run([*base, "new-session", "-d", "-s", session, "-x", "150", "-y", "40", command],
                   env=env, check=True, timeout=TIMEOUT)
    try:
        screen = _wait_for_screen(base, session, "prog.py:12")
        assert "worker-1" in screen and "blocked" in screen
        subprocess.run([*base, "send-keys", "-t", session, "s"], check=True, timeout=TIMEOUT)
        _wait_for_screen(base, session, "sort: age")
        (tmp_path / "release").touch()  # the program ends: so does the view
        screen = _wait_for_screen(base, session, "top-exited-0")
    finally:
        subprocess.run([*base, "kill-server"], check=False, timeout=TIMEOUT, capture_output=True)


def _trace(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "asyncdoctor", "trace", *args], capture_output=True,
                          text=True, timeout=TIMEOUT, check=False, env=_env(tmp_path), cwd=tmp_path)


def test_trace_writes_a_running_programs_timeline_now(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text(textwrap.dedent(BLOCKING))
    proc = subprocess.Popen([sys.executable, "-m", "asyncdoctor", "run", "--live", "--trace", "end.json",
                             "prog.py"], cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "blocking\n"
        done = _trace(str(proc.pid), "-o", "now.json", tmp_path=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "asyncdoctor: wrote now.json\n"
        events = json.loads((tmp_path / "now.json").read_text())["traceEvents"]
        assert any(e.get("ph") == "M" for e in events) and any(e.get("ph") == "X" for e in events)
        page = _trace("-o", "now.html", tmp_path=tmp_path)  # the only live program
        assert page.returncode == 0, page.stderr
        assert (tmp_path / "now.html").read_text().lower().startswith("<!doctype html>")
        bad = _trace("-o", "now.txt", tmp_path=tmp_path)
        assert bad.returncode == 2 and "must end with .json or .html" in bad.stderr
    finally:
        (tmp_path / "release").touch()
        proc.wait(TIMEOUT)
        proc.communicate()
    assert proc.returncode == 0
    assert (tmp_path / "end.json").is_file()  # and the program's own --trace, at its end


def test_trace_of_a_program_without_a_timeline(live_program: subprocess.Popen[str], tmp_path: Path) -> None:
    done = _trace(str(live_program.pid), tmp_path=tmp_path)
    assert done.returncode == 2
    assert "the timeline is off: run with --trace or --timeline" in done.stderr


def test_a_path_outside_the_project_keeps_its_file_and_line(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from asyncdoctor.cli._top import _where

    monkeypatch.chdir(tmp_path)
    deep = "/srv/builds/2026/worker-17/checkout/services/api/handlers.py"
    assert _where({"path": deep, "line": 42}) == "…/services/api/handlers.py:42"
    assert _where({"path": "/opt/app.py", "line": 3}) == "/opt/app.py:3"
    assert _where({"path": str(tmp_path / "pkg" / "mod.py"), "line": 7}) == os.path.join("pkg", "mod.py") + ":7"
