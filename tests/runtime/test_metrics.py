"""Loop health figures (event-loop utilization, lag, tasks, blocking steps) and their export.

Each program runs in a subprocess of its own under the doctor, on asyncio's loop
and on uvloop. Utilization is checked against a program whose loop is known to be
busy half of the time: 50 ms of ``time.sleep`` (a blocking step whose length does
not depend on how loaded the machine is) then 50 ms waiting on a timer, for one
second; and against one that only waits.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")
from prometheus_client.parser import text_string_to_metric_families

from asyncdoctor.export._address import parse_address

TIMEOUT = 120

HEALTH = """
import asyncio, json, sys, time
import asyncdoctor.runtime as rt

async def main(busy):
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        if busy:
            time.sleep(0.05)
        await asyncio.sleep(0.05)

doctor = rt.install(rt.DoctorOptions(threshold=1.0))
if sys.argv[1] == "uvloop":
    import uvloop
    uvloop.run(main(sys.argv[2] == "busy"))
else:
    asyncio.run(main(sys.argv[2] == "busy"))
[health] = doctor.loop_health()
print(json.dumps({"utilization": health.utilization, "method": health.utilization_method,
                  "run": health.run_seconds, "beats": health.lag_count, "label": health.label}))
"""


def _python(code: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, str(prog), *args], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False, cwd=tmp_path)


LOOPS = ["asyncio", pytest.param("uvloop", marks=pytest.mark.skipif(
    sys.platform == "win32", reason="uvloop is not available on Windows"))]


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize(("mode", "low", "high"), [("busy", 0.45, 0.55), ("idle", 0.0, 0.05)])
def test_utilization_against_ground_truth(loop: str, mode: str, low: float, high: float,
                                          tmp_path: Path) -> None:
    # busy: half of every 100 ms in a blocking step; idle: waiting on a timer all along.
    if loop == "uvloop":
        pytest.importorskip("uvloop")
    done = _python(HEALTH, loop, mode, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    health = json.loads(done.stdout)
    assert health["method"] == ("poll" if loop == "asyncio" else "heartbeat")
    assert low <= health["utilization"] <= high, health
    assert health["run"] >= 1.0


COLLECTOR = """
import asyncio, time
import asyncdoctor.runtime as rt
from prometheus_client import CollectorRegistry, generate_latest
from asyncdoctor.export.prometheus import AsyncdoctorCollector

async def job():
    await asyncio.sleep(0.01)

async def main():
    await asyncio.gather(*(job() for _ in range(5)))
    time.sleep(0.15)
    await asyncio.sleep(0.05)

doctor = rt.install(rt.DoctorOptions(threshold=0.05))
registry = CollectorRegistry()
registry.register(AsyncdoctorCollector())
asyncio.run(main())
print(generate_latest(registry).decode())
"""


def _families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return out


def test_the_collector_exports_every_family_in_the_text_format(tmp_path: Path) -> None:
    done = _python(COLLECTOR, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    samples = _families(done.stdout)
    [(labels, elu)] = samples["python_asyncio_eventloop_utilization_ratio"]
    assert labels["method"] == "poll" and labels["loop"].endswith("#1")
    assert 0.0 < elu <= 1.0
    buckets = samples["python_asyncio_eventloop_lag_seconds_bucket"]
    assert [b[0]["le"] for b in buckets][-1] == "+Inf"
    counts = [b[1] for b in buckets]
    assert counts == sorted(counts) and counts[-1] >= 1  # cumulative
    [(_, count)] = samples["python_asyncio_eventloop_lag_seconds_count"]
    assert count == counts[-1]
    [(_, running)] = samples["python_asyncio_eventloop_running_seconds_total"]
    [(_, idle)] = samples["python_asyncio_eventloop_idle_seconds_total"]
    assert 0.0 <= idle < running
    [(blocked, events)] = samples["python_asyncio_blocking_events_total"]
    assert blocked["location"].endswith("prog.py:12") and events == 1
    [(_, seconds)] = samples["python_asyncio_blocking_seconds_total"]
    assert seconds >= 0.14
    if sys.version_info < (3, 14):  # counted from asyncio's registry of tasks up to 3.13
        [(_, created)] = samples["python_asyncio_tasks_created_total"]
        assert created >= 6
    else:  # unknown there: left out, never 0
        assert "python_asyncio_tasks_created_total" not in samples


def test_no_doctor_no_figures() -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from asyncdoctor.export.prometheus import AsyncdoctorCollector

    registry = CollectorRegistry()
    registry.register(AsyncdoctorCollector())
    assert generate_latest(registry) == b""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


SCRAPED = """
import asyncio, sys, time, urllib.request

async def main():
    time.sleep(0.12)
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    url = f"http://127.0.0.1:{sys.argv[1]}/metrics"
    body = await loop.run_in_executor(None, lambda: urllib.request.urlopen(url, timeout=10).read())
    with open("scraped.txt", "wb") as f:
        f.write(body)
    print("done")

asyncio.run(main())
"""


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "asyncdoctor", "run", *args], capture_output=True,
                          text=True, timeout=TIMEOUT, check=False, cwd=cwd, env=env)


def test_run_serves_metrics_while_the_program_runs(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text(textwrap.dedent(SCRAPED))
    port = _free_port()
    done = _run("--threshold", "0.05", "--metrics", str(port), "prog.py", str(port), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "done\n"  # the program's own output, unchanged
    assert f"asyncdoctor: metrics at http://127.0.0.1:{port}/metrics" in done.stderr
    samples = _families((tmp_path / "scraped.txt").read_text())
    [(_, events)] = samples["python_asyncio_blocking_events_total"]
    assert events == 1
    assert samples["python_asyncio_eventloop_utilization_ratio"]


def test_run_with_a_bad_metrics_address_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text("print('never')\n")
    done = _run("--metrics", "localhost:http", "prog.py", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines()[-1].endswith(
        "argument --metrics: 'localhost:http' is not an address: expected [HOST:]PORT, e.g. 127.0.0.1:9464"
    )


def test_a_port_in_use_costs_the_program_nothing(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text("print('ran')\n")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _run("--metrics", f"127.0.0.1:{port}", "prog.py", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == "ran\n"
    assert f"asyncdoctor: cannot serve metrics on 127.0.0.1:{port}" in done.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ("9464", ("127.0.0.1", 9464)),
    (":9464", ("127.0.0.1", 9464)),
    ("0.0.0.0:80", ("0.0.0.0", 80)),
    ("[::1]:9464", ("::1", 9464)),
])
def test_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["", "host:", "host:http", "99999", "::1:9464"])
def test_bad_addresses(text: str) -> None:
    with pytest.raises(ValueError, match=r"address|out of range"):
        parse_address(text)


OTEL = """
import asyncio, json, time
import asyncdoctor.runtime as rt
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from asyncdoctor.export.otel import instrument

async def main():
    time.sleep(0.15)
    await asyncio.sleep(0.05)

reader = InMemoryMetricReader()
instrument(MeterProvider(metric_readers=[reader]))
doctor = rt.install(rt.DoctorOptions(threshold=0.05))
asyncio.run(main())
out = {}
for rm in reader.get_metrics_data().resource_metrics:
    for sm in rm.scope_metrics:
        for metric in sm.metrics:
            out[metric.name] = [[dict(p.attributes), p.value] for p in metric.data.data_points]
print(json.dumps(out))
"""


def test_opentelemetry_instruments_through_the_sdk(tmp_path: Path) -> None:
    pytest.importorskip("opentelemetry.sdk")
    done = _python(OTEL, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)
    [(attrs, elu)] = metrics["python.asyncio.eventloop.utilization"]
    assert attrs["method"] == "poll" and 0.5 <= elu <= 1.0  # 150 ms blocked of about 200
    states = {a["state"]: v for a, v in metrics["python.asyncio.eventloop.time"]}
    assert states["active"] >= 0.14 and states["idle"] >= 0.0
    [(where, count)] = metrics["python.asyncio.blocking.count"]
    assert where["location"].endswith("prog.py:9") and count == 1
    [(_, blocked)] = metrics["python.asyncio.blocking.time"]
    assert blocked >= 0.14
    [(_, p99)] = metrics["python.asyncio.eventloop.delay.p99"]
    assert p99 >= 0.1  # the heartbeat was ~150 ms late once


STEPS = """
import asyncio, json, socket, sys
import asyncdoctor.runtime as rt

doctor = rt.install(rt.DoctorOptions(threshold=5.0))

def reading():
    [health] = doctor.loop_health()
    return health.steps, health.lag_count

async def main():
    loop = asyncio.get_running_loop()
    steps0, beats0 = reading()
    for _ in range(2000):  # 2,000 steps of this task
        await asyncio.sleep(0)
    fired = []
    for i in range(300):  # 300 timers, due at once: none falls due while a turn is counted
        loop.call_at(loop.time() - 1.0, fired.append, i)
    await asyncio.sleep(0)  # this task's step, in the timers' turn
    a, b = socket.socketpair()
    a.setblocking(False)
    for _ in range(200):  # an I/O event wakes the reader, whose future wakes this task
        got = loop.create_future()
        loop.add_reader(a, lambda f=got: (a.recv(16), loop.remove_reader(a), f.set_result(None)))
        b.send(b"x")
        await got
    steps1, beats1 = reading()
    a.close(); b.close()
    print(json.dumps({"steps": None if steps0 is None else steps1 - steps0, "beats": beats1 - beats0,
                      "fired": len(fired)}))

if sys.argv[1] == "uvloop":
    import uvloop
    uvloop.run(main())
else:
    asyncio.run(main())
"""


@pytest.mark.parametrize("loop", LOOPS)
def test_steps_count_every_callback_the_loop_runs(loop: str, tmp_path: Path) -> None:
    if loop == "uvloop":
        pytest.importorskip("uvloop")
    done = _python(STEPS, loop, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    if loop == "uvloop":  # libuv runs its loop in C: unknown, never 0
        assert out["steps"] is None
        return
    assert out["fired"] == 300
    expected = 2000 + 300 + 1 + 200 * 2
    # besides: the doctor's heartbeats, and the last step (still running when read) not yet
    assert expected <= out["steps"] <= expected + out["beats"] + 3, out
