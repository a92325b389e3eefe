"""``/metrics`` scraped from real web applications under load, as Prometheus would.

An aiohttp application and a FastAPI application (served by uvicorn) run under
``asyncdoctor run --metrics``; the test drives requests at them from threads,
one of which blocks the loop for 120 ms, then scrapes ``/metrics`` and parses it
with ``prometheus_client``'s own parser. Nothing here depends on how fast the
machine is: the figures checked are counts of what the test did (one blocking
request, some heartbeats, the server's own tasks), never rates or timings.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")
from prometheus_client.parser import text_string_to_metric_families

TIMEOUT = 120

AIOHTTP_APP = """
import asyncio, sys, time
import aiohttp
from aiohttp import web

async def work(request):
    await asyncio.sleep(0.001)
    return web.json_response({"ok": True})

async def block(request):
    time.sleep(0.12)
    return web.Response(text="blocked")

async def fetch(request):  # through the application's one client session
    async with request.app["client"].get(f"http://127.0.0.1:{sys.argv[1]}/work") as response:
        return web.json_response(await response.json())

async def start(app):
    app["client"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4))
    app["backlog"] = asyncio.Queue(maxsize=10)
    for item in range(3):
        app["backlog"].put_nowait(item)  # never consumed: its depth stays 3

async def stop(app):
    await app["client"].close()

app = web.Application()
app.router.add_get("/work", work)
app.router.add_get("/block", block)
app.router.add_get("/fetch", fetch)
app.on_startup.append(start)
app.on_cleanup.append(stop)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""

FASTAPI_APP = """
import asyncio, time
from fastapi import FastAPI

app = FastAPI()

@app.get("/work")
async def work():
    await asyncio.sleep(0.001)
    return {"ok": True}

@app.get("/block")
async def block():
    time.sleep(0.12)
    return {"blocked": True}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str, timeout: float = 10.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body: bytes = response.read()
        return body


def _wait_until_up(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the application ended early ({proc.returncode}):\n{out}\n{err}")
        try:
            _get(url, timeout=2.0)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    pytest.fail(f"{url} never answered")


def _families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return out


def _drive_and_scrape(app_port: int, metrics_port: int, proc: subprocess.Popen[str],
                      paths: tuple[str, ...] = ("/work",)) -> str:
    base = f"http://127.0.0.1:{app_port}"
    _wait_until_up(f"{base}/work", proc)
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda i: _get(f"{base}{paths[i % len(paths)]}"), range(400)))
    assert all(b"ok" in body for body in bodies)
    _get(f"{base}/block")
    # The blocking step is reported once the watchdog has looked at the loop again:
    # scrape until it is there (the figures only grow), within the test's time limit.
    deadline = time.monotonic() + TIMEOUT
    while True:
        text = _get(f"http://127.0.0.1:{metrics_port}/metrics").decode()
        if "python_asyncio_blocking_events_total{" in text or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the application did not stop on SIGINT:\n{err}")
    return out, err


def _check_figures(text: str, app_file: str, *, method: str = "poll") -> None:
    samples = _families(text)
    [(labels, utilization)] = samples["python_asyncio_eventloop_utilization_ratio"]
    assert labels["method"] == method  # exact on asyncio's loops, estimated on uvloop
    assert 0.0 <= utilization <= 1.0
    [(_, beats)] = samples["python_asyncio_eventloop_lag_seconds_count"]
    assert beats > 0
    [(_, lag_sum)] = samples["python_asyncio_eventloop_lag_seconds_sum"]
    assert lag_sum >= 0.1  # the 120 ms blocking step made at least one beat that late
    # The handler's blocking step, at its line. (A framework may also have a slow first
    # step of its own on a loaded machine: reported at its own line, never at the app's.)
    blocking = samples["python_asyncio_blocking_events_total"]
    ours = [(labels["location"], n) for labels, n in blocking if labels["location"].startswith(app_file)]
    assert [(where.rpartition(":")[0], n) for where, n in ours] == [(app_file, 1.0)]
    [seconds] = [n for labels, n in samples["python_asyncio_blocking_seconds_total"]
                 if labels["location"] == ours[0][0]]
    assert seconds >= 0.1
    assert samples["python_asyncio_tasks_active"]
    [(_, running)] = samples["python_asyncio_eventloop_running_seconds_total"]
    assert running > 0


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    # (a live folder of the test's own, for --live)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONUNBUFFERED": "1",
           "XDG_RUNTIME_DIR": "", "TMPDIR": str(cwd)}
    return subprocess.Popen([sys.executable, "-m", "asyncdoctor", "run", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_aiohttp_application_under_load(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp")
    (tmp_path / "app.py").write_text(textwrap.dedent(AIOHTTP_APP))
    app_port, metrics_port = _free_port(), _free_port()
    proc = _spawn(["--threshold", "0.05", "--metrics", str(metrics_port), "--live", "app.py",
                   str(app_port)], tmp_path)
    try:
        text = _drive_and_scrape(app_port, metrics_port, proc, ("/work", "/fetch"))
        # and `asyncdoctor top` attached to it: its loop, its queue and its client's pool
        top = subprocess.run([sys.executable, "-m", "asyncdoctor", "top", str(proc.pid), "--once",
                              "--format", "json"], capture_output=True, text=True, timeout=TIMEOUT,
                             check=False, cwd=tmp_path, env={**os.environ, "XDG_RUNTIME_DIR": "",
                                                             "TMPDIR": str(tmp_path)})
    finally:
        out, err = _stop(proc)
    assert top.returncode == 0, top.stderr
    snapshot = json.loads(top.stdout)
    assert snapshot["source"] == "live" and [loop["utilization_method"] for loop in snapshot["loops"]] == ["poll"]
    assert any(t["coroutine"] for t in snapshot["tasks"])
    [queue] = [q for q in snapshot["queues"] if q["site"] == f"{tmp_path / 'app.py'}:20"]
    assert (queue["depth"], queue["maxsize"]) == (3, 10)
    assert [p["limit"] for p in snapshot["pools"] if p["kind"] == "aiohttp.BaseConnector"] == [4]
    _check_figures(text, str(tmp_path / "app.py"))
    assert proc.returncode == 0, err
    assert out == ""  # the application's own output, unchanged
    assert f"asyncdoctor: live view: asyncdoctor top {proc.pid}" in err
    # the application's queue, its client session and the session's connection pool
    samples = _families(text)
    app = str(tmp_path / "app.py")
    queues = {labels["site"]: value for labels, value in samples["python_asyncio_queue_depth"]}
    assert queues[f"{app}:20"] == 3.0
    [(_, maxsize)] = [(lb, v) for lb, v in samples["python_asyncio_queue_maxsize"] if lb["site"] == f"{app}:20"]
    assert maxsize == 10.0
    opened = {labels["kind"]: value for labels, value in samples["python_asyncio_resources_open"]}
    assert opened["aiohttp.ClientSession"] == 1.0
    limits = [(lb, v) for lb, v in samples["python_asyncio_pool_connections_limit"]
              if lb["kind"] == "aiohttp.BaseConnector" and lb["site"] == f"{app}:19"]
    assert [v for _, v in limits] == [4.0]


@pytest.mark.parametrize(("loop", "method"), [
    ("asyncio", "poll"),
    pytest.param("uvloop", "heartbeat", marks=pytest.mark.skipif(
        sys.platform == "win32", reason="uvloop is not available on Windows")),
])
def test_fastapi_application_under_uvicorn(tmp_path: Path, loop: str, method: str) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    if loop == "uvloop":
        pytest.importorskip("uvloop")
    (tmp_path / "app.py").write_text(textwrap.dedent(FASTAPI_APP))
    app_port, metrics_port = _free_port(), _free_port()
    proc = _spawn(["--threshold", "0.05", "--metrics", str(metrics_port), "-m", "uvicorn", "app:app",
                   "--host", "127.0.0.1", "--port", str(app_port), "--log-level", "warning",
                   "--loop", loop], tmp_path)
    try:
        text = _drive_and_scrape(app_port, metrics_port, proc)
    finally:
        _, err = _stop(proc)
    _check_figures(text, str(tmp_path / "app.py"), method=method)
    assert proc.returncode == 0, err
