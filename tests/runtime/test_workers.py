"""``asyncdoctor run`` follows the processes a program starts, and the live socket.

Servers with worker processes (uvicorn ``--workers``, gunicorn with uvicorn's
worker) run under ``asyncdoctor run`` as a user would run them, on 127.0.0.1 and
free ports, and are stopped by a signal as a user would stop them; the exit
report and the parent's ``/metrics`` must cover every worker.  Children started
by ``multiprocessing`` (fork, spawn, forkserver) and ``subprocess`` are followed;
children that cannot be (not Python, ``python -I``) run exactly as without the
doctor.  Nothing here depends on timing beyond generous deadlines: requests are
sent until each worker has served some, figures are read until they show up.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import asyncdoctor.runtime as rt
from asyncdoctor.runtime import _live
from asyncdoctor.runtime._follow import BOOTSTRAP, Follower
from asyncdoctor.runtime._merge import Processes, merge, report_from_json

TIMEOUT = 120  # seconds: the most any process here may take (a loaded 2-core machine)


# -- helpers ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def run_base() -> Iterator[Path]:
    """A short private folder for the run folders (a Unix socket's path is short)."""
    folder = Path(tempfile.mkdtemp(prefix="adw", dir="/tmp" if os.path.isdir("/tmp") else None))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _environment(base: Path, **more: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHONASYNCIODEBUG", "PYTHONDEVMODE", "PYTHONWARNINGS", "ASYNCDOCTOR_"))
        and key != "XDG_RUNTIME_DIR"
    }
    env["TMPDIR"] = str(base)  # the run folder goes here: the test sees it removed
    env.update(more)
    return env


def _write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def _run(tmp_path: Path, base: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asyncdoctor", "run", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT, check=False,
        env=_environment(base, **env),
    )  # fmt: skip


def _python(tmp_path: Path, base: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=tmp_path, capture_output=True, text=True,
        timeout=TIMEOUT, check=False, env=_environment(base, **env),
    )  # fmt: skip


def _run_folders(base: Path) -> list[str]:
    return [name for name in os.listdir(base) if name.startswith("asyncdoctor-")]


def _get(url: str, timeout: float = 30) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body: bytes = response.read()
    return body.decode()


def _wait_for(url: str, process: subprocess.Popen[str]) -> None:
    """Until ``url`` answers (the server is up), or fail if the process ends first."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with contextlib.suppress(OSError):
            _get(url, timeout=5)
            return
        time.sleep(0.2)
    pytest.fail(f"{url} never answered")


def _families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    from prometheus_client.parser import text_string_to_metric_families

    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return samples


# -- servers with workers -------------------------------------------------------------------

APP = """
import os, time

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["path"] == "/block":
        time.sleep(0.2)  # blocks the worker's loop
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": str(os.getpid()).encode()})
"""
BLOCK_LINE = 16  # the line of time.sleep(0.2) in APP (checked below)


def _serve_and_stop(
    tmp_path: Path, base: Path, server: list[str], stop: signal.Signals, *, group: bool
) -> tuple[subprocess.CompletedProcess[str], set[int], str, dict[str, object]]:
    """Run ``server`` under ``asyncdoctor run --metrics``, block each of its two workers'
    loops, scrape the parent's ``/metrics`` until both workers show, stop the server with
    ``stop`` (to its process group when ``group``: ^C in a terminal); what it left."""
    app = _write(tmp_path, "app.py", APP)
    assert app.read_text().splitlines()[BLOCK_LINE - 1].strip().startswith("time.sleep(0.2)")
    port, metrics = _free_port(), _free_port()
    command = [
        sys.executable, "-m", "asyncdoctor", "run", "--report", "report.json",
        "--metrics", str(metrics), "-m", *(arg.format(port=port) for arg in server),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=_environment(base), start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/", process)
        # Two requests at once: while one worker's loop is blocked the other must take the
        # next one, so both serve some whatever the kernel's choice of accepting process.
        served: set[int] = set()
        deadline = time.monotonic() + TIMEOUT
        while len(served) < 2 and time.monotonic() < deadline:
            answers: list[str] = []

            def block(answers: list[str] = answers) -> None:
                answers.append(_get(f"http://127.0.0.1:{port}/block"))

            threads = [threading.Thread(target=block) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(TIMEOUT)
            served.update(int(answer) for answer in answers)
        assert len(served) == 2, served
        # The figures of both workers, from the parent's endpoint (read until they show:
        # a worker settles a blocking step once its loop runs again).
        text = ""
        while time.monotonic() < deadline:
            text = _get(f"http://127.0.0.1:{metrics}/metrics")
            labelled = {
                labels.get("worker")
                for labels, _ in _families(text).get("python_asyncio_blocking_events_total", [])
            }
            if labelled >= {str(pid) for pid in served}:
                break
            time.sleep(0.2)
        if group:
            os.killpg(process.pid, stop)
        else:
            process.send_signal(stop)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(TIMEOUT)
    report = json.loads((tmp_path / "report.json").read_text())
    return subprocess.CompletedProcess(command, process.returncode, out, err), served, text, report


def _check_server_run(
    tmp_path: Path, base: Path, served: set[int], text: str, report: dict[str, object], stderr: str
) -> None:
    samples = _families(text)
    blocked = {
        labels["worker"]: value
        for labels, value in samples["python_asyncio_blocking_events_total"]
        if labels.get("location", "").endswith(f"app.py:{BLOCK_LINE}")
    }
    assert set(blocked) == {str(pid) for pid in served}, text
    assert all(value >= 1 for value in blocked.values())
    # the workers' loops, each under its own label (the program's own series have none)
    running = {labels.get("worker") for labels, _ in samples["python_asyncio_eventloop_running_seconds_total"]}
    assert running >= {str(pid) for pid in served}, text

    processes = report["processes"]
    assert isinstance(processes, dict)
    assert set(processes["workers"]) == served
    assert processes["watched"] == 3
    assert processes["did_not_report"] == [] and processes["still_running"] == []
    findings = report["findings"]
    assert isinstance(findings, list)
    [finding] = [
        f for f in findings if f["kind"] == "blocking-call" and f["location"]["line"] == BLOCK_LINE
    ]
    assert finding["location"]["path"] == str(tmp_path / "app.py")
    assert finding["count"] >= 2
    assert finding["extra"]["processes"] == "2"
    assert "asyncdoctor: 3 processes watched (the program and 2 workers)" in stderr
    assert "blocking-call event loop blocked" in stderr
    assert _run_folders(base) == []


def test_uvicorn_workers_are_followed_and_reported(tmp_path: Path, run_base: Path) -> None:
    pytest.importorskip("uvicorn")
    pytest.importorskip("prometheus_client")
    done, served, text, report = _serve_and_stop(
        tmp_path, run_base,
        ["uvicorn", "app:app", "--workers", "2", "--no-access-log", "--host", "127.0.0.1",
         "--port", "{port}"],
        signal.SIGTERM, group=False,  # `kill PID`, as a service manager stops it
    )  # fmt: skip
    _check_server_run(tmp_path, run_base, served, text, report, done.stderr)


def test_gunicorn_with_uvicorn_workers_is_followed_and_reported(tmp_path: Path, run_base: Path) -> None:
    pytest.importorskip("gunicorn")
    pytest.importorskip("uvicorn_worker")
    pytest.importorskip("prometheus_client")
    done, served, text, report = _serve_and_stop(
        tmp_path, run_base,
        ["gunicorn", "app:app", "-k", "uvicorn_worker.UvicornWorker", "-w", "2",
         "-b", "127.0.0.1:{port}"],
        signal.SIGINT, group=True,  # ^C in the terminal: the whole process group
    )  # fmt: skip
    _check_server_run(tmp_path, run_base, served, text, report, done.stderr)


# -- multiprocessing and subprocess children ------------------------------------------------

CHILDREN = """
import asyncio, multiprocessing, subprocess, sys, time

async def block():
    time.sleep(0.3)

def child():
    asyncio.run(block())

if __name__ == "__main__":
    for method in sys.argv[1].split(","):
        process = multiprocessing.get_context(method).Process(target=child)
        process.start()
        process.join()
        print(method, process.exitcode)
    subprocess.run([sys.executable, "-m", "blocker"], check=True)
"""
BLOCKER = """
import asyncio, time

async def main():
    time.sleep(0.3)

asyncio.run(main())
print("blocker done")
"""


def test_multiprocessing_and_subprocess_children_are_followed(tmp_path: Path, run_base: Path) -> None:
    _write(tmp_path, "prog.py", CHILDREN)
    _write(tmp_path, "blocker.py", BLOCKER)
    methods = "fork,spawn,forkserver" if sys.platform != "win32" else "spawn"
    plain = _python(tmp_path, run_base, "prog.py", methods)
    done = _run(tmp_path, run_base, "--report", "report.json", "prog.py", methods)
    assert done.returncode == plain.returncode == 0, done.stderr
    assert done.stdout == plain.stdout  # the program's output, unchanged
    report = json.loads((tmp_path / "report.json").read_text())
    n = len(methods.split(","))
    processes = report["processes"]
    # each multiprocessing child and the subprocess; forkserver's server itself is no worker
    assert processes["watched"] == 1 + n + 1
    assert len(processes["workers"]) == n + 1
    assert processes["did_not_report"] == [] and processes["still_running"] == []
    by_file = {
        Path(f["location"]["path"]).name: f for f in report["findings"] if f["kind"] == "blocking-call"
    }
    assert by_file["prog.py"]["location"]["line"] == 5
    assert by_file["prog.py"]["count"] == n
    assert by_file["prog.py"]["extra"].get("processes", "1") == str(n)
    assert by_file["blocker.py"]["count"] == 1
    assert f"asyncdoctor: {n + 2} processes watched (the program and {n + 1} workers)" in done.stderr
    assert _run_folders(run_base) == []


KILLED = """
import multiprocessing, os, signal

def child():
    os.kill(os.getpid(), signal.SIGKILL)

if __name__ == "__main__":
    process = multiprocessing.get_context("spawn").Process(target=child)
    process.start()
    process.join()
    print(process.pid, process.exitcode)
"""


def test_a_worker_killed_by_sigkill_is_said_not_to_have_reported(tmp_path: Path, run_base: Path) -> None:
    _write(tmp_path, "prog.py", KILLED)
    done = _run(tmp_path, run_base, "--report", "report.json", "prog.py")
    assert done.returncode == 0, done.stderr
    pid, code = map(int, done.stdout.split())
    assert code == -signal.SIGKILL
    processes = json.loads((tmp_path / "report.json").read_text())["processes"]
    assert processes == {"watched": 1, "workers": [], "did_not_report": [pid], "still_running": []}
    # said even though nothing was found: silence would read as "all clear"
    assert done.stderr == (
        "asyncdoctor: 1 process watched (the program and 0 workers); 1 worker did not report "
        f"(killed, or ended by os._exit): pid {pid}\n"
    )


# -- children that cannot be followed run unchanged -------------------------------------------

UNCHANGED = """
import subprocess, sys

# not Python
subprocess.run(["sh", "-c", "echo shell says $0", "hello"], check=True)
# isolated mode ignores PYTHONPATH: no bootstrap, no doctor
subprocess.run([sys.executable, "-I", "-c",
    "import sys; print('isolated', 'asyncdoctor' in sys.modules, [p for p in sys.path if '_bootstrap' in p])"],
    check=True)
# a Python that is followed sees nothing of the bootstrap on its sys.path
subprocess.run([sys.executable, "-c",
    "import sys; print('followed', [p for p in sys.path if '_bootstrap' in p])"], check=True)
"""


def test_children_that_cannot_be_followed_run_unchanged(tmp_path: Path, run_base: Path) -> None:
    _write(tmp_path, "prog.py", UNCHANGED)
    plain = _python(tmp_path, run_base, "prog.py")
    done = _run(tmp_path, run_base, "--report", "report.json", "prog.py")
    assert (done.returncode, done.stdout, done.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert done.stdout == "shell says hello\nisolated False []\nfollowed []\n"
    processes = json.loads((tmp_path / "report.json").read_text())["processes"]
    assert processes["watched"] == 2  # the program and the followed python


SITE = """
import os
MARK = "user sitecustomize ran"
print(MARK, flush=True)
if os.environ.get("SITE_FAILS"):
    raise RuntimeError("boom in sitecustomize")
"""
SITE_CHILD = """
import subprocess, sys

code = (
    "import sys, sitecustomize, asyncdoctor.runtime as rt;"
    "print(sitecustomize.MARK, sitecustomize.__file__.endswith('site/sitecustomize.py'),"
    " rt.current() is not None)"
)
subprocess.run([sys.executable, "-c", code], check=True)
"""


def test_the_programs_own_sitecustomize_still_runs(tmp_path: Path, run_base: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _write(site, "sitecustomize.py", SITE)
    _write(tmp_path, "prog.py", SITE_CHILD)
    done = _run(tmp_path, run_base, "prog.py", PYTHONPATH=str(site))
    assert done.returncode == 0, done.stderr
    # once for the program (its own sitecustomize), once for the child, which has the doctor too
    assert done.stdout == (
        "user sitecustomize ran\nuser sitecustomize ran\nuser sitecustomize ran True True\n"
    )


def test_a_failing_sitecustomize_fails_as_without_the_doctor(tmp_path: Path, run_base: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _write(site, "sitecustomize.py", SITE)
    _write(tmp_path, "prog.py", "import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'print(1)'])\n")
    env = {"PYTHONPATH": str(site), "SITE_FAILS": "1"}
    plain = _python(tmp_path, run_base, "prog.py", **env)
    done = _run(tmp_path, run_base, "prog.py", **env)
    assert "Error in sitecustomize; set PYTHONVERBOSE for traceback:\nRuntimeError: boom" in plain.stderr
    assert (done.returncode, done.stdout, done.stderr) == (plain.returncode, plain.stdout, plain.stderr)


def test_no_follow_watches_the_program_alone(tmp_path: Path, run_base: Path) -> None:
    _write(tmp_path, "prog.py", CHILDREN)
    _write(tmp_path, "blocker.py", BLOCKER)
    done = _run(tmp_path, run_base, "--no-follow", "--report", "report.json", "prog.py", "spawn")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert "processes" not in report and report["findings"] == []
    assert done.stderr == "" and _run_folders(run_base) == []


def _other_pythons() -> list[str]:
    """Interpreters of other versions on this machine (pyenv's), to start as children."""
    found = []
    for pattern in ("2.7", "3.8", "3.10"):
        for candidate in sorted(Path.home().glob(f".pyenv/versions/{pattern}*/bin/python"))[-1:]:
            found.append(str(candidate))
    return found


OTHER_PYTHONS = """
import subprocess, sys
for python in sys.argv[1:]:
    subprocess.run([python, "-c", "import sys; print(sys.version_info[0], 'asyncdoctor' in sys.modules)"], check=True)
"""


def test_another_python_child_runs_unchanged(tmp_path: Path, run_base: Path) -> None:
    # the bootstrap is compiled by every Python that reads PYTHONPATH, down to 2.7
    source = Path(BOOTSTRAP, "sitecustomize.py").read_text()
    ast.parse(source, feature_version=(3, 7))
    pythons = _other_pythons()
    if not pythons:
        pytest.skip("no other Python on this machine")
    _write(tmp_path, "prog.py", OTHER_PYTHONS)
    plain = _python(tmp_path, run_base, "prog.py", *pythons)
    done = _run(tmp_path, run_base, "prog.py", *pythons)
    assert plain.returncode == 0, plain.stderr
    assert (done.returncode, done.stdout, done.stderr) == (plain.returncode, plain.stdout, plain.stderr)


# -- the live socket ------------------------------------------------------------------------


@pytest.fixture
def private(run_base: Path) -> Path:
    folder = run_base / "run"
    folder.mkdir(mode=0o700)
    return folder


@pytest.fixture
def doctor() -> Iterator[rt.Doctor]:
    with rt.watch(rt.DoctorOptions(threshold=0.05)) as watching:
        yield watching


@contextlib.contextmanager
def _serving(doctor: rt.Doctor, path: Path) -> Iterator[_live.LiveServer]:
    server = _live.LiveServer(doctor, str(path))
    try:
        yield server
    finally:
        server.close()


def _connect(path: Path) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))  # blocking: waits for a place in the backlog, if need be
    except BaseException:
        conn.close()
        raise
    conn.settimeout(30)
    return conn


def _answers(conn: socket.socket, count: int) -> list[dict[str, object]]:
    """The next ``count`` answers (one JSON object per line)."""
    answers = []
    with conn.makefile("rb") as lines:
        for _ in range(count):
            line = lines.readline()
            assert line.endswith(b"\n"), "the server closed the connection"
            answers.append(json.loads(line))
    return answers


def _answer(conn: socket.socket) -> dict[str, object]:
    [answer] = _answers(conn, 1)
    return answer


def test_the_live_socket_is_for_its_owner_only(doctor: rt.Doctor, private: Path) -> None:
    path = private / "worker-1.sock"
    with _serving(doctor, path):
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_ISSOCK(os.stat(path).st_mode)
        with _connect(path) as conn:
            assert _live._peer_uid(conn) == os.geteuid()
    assert not path.exists()  # close() removes it
    private.chmod(0o755)
    with pytest.raises(PermissionError, match="can be entered by other users"):
        _live.LiveServer(doctor, str(path))
    assert not path.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to be another user")
def test_another_user_cannot_connect(doctor: rt.Doctor, private: Path) -> None:
    path = private / "worker-1.sock"
    with _serving(doctor, path):
        probe = (
            "import os, socket, sys\n"
            "os.setgid(65534); os.setuid(65534)\n"
            "s = socket.socket(socket.AF_UNIX)\n"
            "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    print('refused')\n"
        )
        done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True,
                              text=True, timeout=TIMEOUT, check=False)
    assert done.stdout == "refused\n", done.stderr


def test_the_live_socket_answers_its_queries(doctor: rt.Doctor, private: Path) -> None:
    pytest.importorskip("prometheus_client")
    path = private / "worker-1.sock"
    with _serving(doctor, path), _connect(path) as conn:
        conn.sendall(b'{"get": "report"}\n{"get": "metrics"}\n{"get": "exec"}\n')
        report, metrics, unknown = _answers(conn, 3)
    assert report["ok"] is True and report["pid"] == os.getpid() and report["get"] == "report"
    assert report["value"] == doctor.report().to_json()
    assert metrics["ok"] is True and isinstance(metrics["value"], str)
    assert "# TYPE python_asyncio_blocking_events_total counter" in metrics["value"]
    assert unknown == {"ok": False, "pid": os.getpid(), "error": "unknown query 'exec'",
                       "queries": ["metrics", "report", "snapshot", "timeline", "trace"]}


def test_garbage_does_not_stop_the_live_socket(doctor: rt.Doctor, private: Path) -> None:
    path = private / "worker-1.sock"
    with _serving(doctor, path):
        with _connect(path) as conn:
            conn.sendall(b"\xff\xfe not json\n[1, 2]\n{\"get\": 3}\n")
            answers = _answers(conn, 3)
            assert [a["ok"] for a in answers] == [False, False, False]
            assert "not a JSON object" in str(answers[0]["error"])
            conn.sendall(b'{"get": "report"}\n')  # the same connection goes on
            assert _answer(conn)["ok"] is True
        with _connect(path) as conn:
            conn.sendall(b"x" * (_live.MAX_REQUEST * 4))
            assert "request longer than" in str(_answer(conn)["error"])
            assert conn.recv(1) == b""  # and closed
        assert _live.ask(str(path), "report")["ok"] is True


def test_slow_and_silent_clients_do_not_stall_the_live_socket(
    doctor: rt.Doctor, private: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_live, "IDLE_TIMEOUT", 0.5)
    path = private / "worker-1.sock"
    with _serving(doctor, path):
        silent: list[socket.socket] = []
        try:
            for _ in range(_live.MAX_CLIENTS + 2):  # more than it serves at once
                silent.append(_connect(path))
            # the silent ones are dropped after IDLE_TIMEOUT, whatever they do
            for conn in silent:
                assert conn.recv(1) == b""
            with _connect(path) as half:  # half a request, then nothing
                half.sendall(b'{"get": "rep')
                assert half.recv(1) == b""
            # and the server still answers at once
            assert _live.ask(str(path), "report", timeout=30)["ok"] is True
        finally:
            for conn in silent:
                conn.close()


# -- the parent's /metrics and the merged report ------------------------------------------------


def test_metrics_of_live_workers_join_the_programs_own(doctor: rt.Doctor, private: Path) -> None:
    pytest.importorskip("prometheus_client")
    from prometheus_client import CollectorRegistry, generate_latest

    from asyncdoctor.export.prometheus import AsyncdoctorCollector, WorkersCollector

    async def block() -> None:
        time.sleep(0.1)  # noqa: ASYNC251 (the blocking call the doctor must see)

    asyncio.run(block())

    def scrape(collector: object) -> str:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(collector)  # type: ignore[arg-type]
        return generate_latest(registry).decode()

    parent = rt.Doctor()  # the program's own doctor: it watched no loop
    own = scrape(AsyncdoctorCollector(parent))
    parent.follower = Follower(parent, str(private), role="parent", live=True)
    # no worker: exactly the single-process output
    assert scrape(WorkersCollector(AsyncdoctorCollector(parent), parent)) == own
    with _serving(doctor, private / "worker-4242.sock"):
        merged = _families(scrape(WorkersCollector(AsyncdoctorCollector(parent), parent)))
    [(labels, value)] = merged["python_asyncio_blocking_events_total"]
    assert labels["worker"] == "4242" and value == 1
    assert all(labels["worker"] == "4242" for labels, _ in merged["python_asyncio_eventloop_lag_seconds_bucket"])
    # a worker that is gone is left out: its series disappear
    assert scrape(WorkersCollector(AsyncdoctorCollector(parent), parent)) == own


def _finding(path: str, count: int, seconds: float, max_ms: str | None = None) -> rt.RuntimeFinding:
    return rt.RuntimeFinding(
        kind="blocking-call", message=f"blocked {seconds}", location=rt.Frame(path, 3, "f"),
        stack=(rt.Frame(path, 3, "f"),), count=count, duration=seconds,
        extra=(("max_ms", max_ms),) if max_ms else (),
    )  # fmt: skip


def _report(*findings: rt.RuntimeFinding, loops: int = 1, created: int | None = 5) -> rt.RuntimeReport:
    metrics = rt.LoopMetrics(loops, created, 2, 0.1, 0.5, 1.0, 250.0, (("a.py:3 f", 250.0),))
    return rt.RuntimeReport(findings=findings, metrics=metrics)


def test_reports_merge_by_kind_and_location() -> None:
    parent = _report(_finding("/app/a.py", 2, 0.5, "300.0"))
    worker = _report(_finding("/app/a.py", 1, 0.4), _finding("/app/b.py", 1, 0.2), loops=2, created=None)
    assert report_from_json(worker.to_json()) == worker  # what a worker writes reads back the same
    merged = merge(parent, [(11, worker)], pid=10)
    a, b = merged.findings
    assert (a.count, a.duration, dict(a.extra)) == (3, 0.9, {"max_ms": "400.0", "processes": "2"})
    assert a.message == "blocked 0.4"  # the longest block's
    assert b == worker.findings[1]
    assert merged.metrics.loops_seen == 3
    assert merged.metrics.tasks_created is None  # unknown in one process: unknown in all
    processes = Processes(watched=2, workers=(11,), missing=(12,))
    assert processes.summary() == (
        "asyncdoctor: 2 processes watched (the program and 1 worker); 1 worker did not report "
        "(killed, or ended by os._exit): pid 12"
    )
