"""``asyncdoctor tune`` end to end: real loopback servers with a known knee, and bad input.

``LoopbackServer(workers=N, service_time=s)`` serves at most N requests at once,
each for s seconds: its capacity is N/s requests per second, reached at
concurrency N.  The recommended level must be within 20% of N, for two
different N so that nothing is fitted to one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from asyncdoctor.cli._main import main
from asyncdoctor.perf import LoopbackServer

FAST = ["--duration", "0.4", "--warmup", "0.1", "--min-samples", "50", "--no-adaptive"]


def _tune(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["tune", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("asyncdoctor: "), err
    for needle in needles:
        assert needle in lines[0], err


# --- the known knee -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workers", "service_time", "client"),
    [(8, 0.01, "aiohttp"), (24, 0.02, "raw")],
)
def test_recommends_the_knee_of_a_loopback_server(
    workers: int,
    service_time: float,
    client: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if client == "aiohttp":
        pytest.importorskip("aiohttp")
    report = tmp_path / "tune.json"
    # Two tries: on a machine shared with other work one sweep can be thrown off by a burst
    # of load; a tuner that misses the knee misses it both times.
    for _attempt in range(2):
        with LoopbackServer(workers=workers, service_time=service_time) as server:
            code, out, err = _tune(
                capsys, "http", server.url, "--client", client, "--json", str(report), *FAST
            )
        assert code == 0, err
        data = json.loads(report.read_text())
        recommended = data["recommended"]
        if abs(recommended - workers) <= 0.2 * workers:
            break
    assert abs(recommended - workers) <= 0.2 * workers, out
    assert f"Recommended concurrency: {recommended}" in out
    by_level = {row["level"]: row for row in data["levels"]}
    # the knee is real: past it throughput is flat and latency grows
    top = max(by_level)
    assert top >= 2 * workers * 0.8
    assert by_level[top]["p50_ms"] > 1.5 * by_level[recommended]["p50_ms"]
    assert by_level[top]["throughput"] < 1.15 * by_level[recommended]["throughput"]
    # progress went to stderr, one line per level
    assert err.count(" level ") == len(data["levels"])


def test_latency_bound_and_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 4 workers of 20 ms: up to level 4 the p95 is about 21 ms; from level 5 on calls queue
    # for a whole service time, so the p95 is about 40 ms, past the 30 ms bound
    page = tmp_path / "tune.html"
    with LoopbackServer(workers=4, service_time=0.02) as server:
        code, out, err = _tune(
            capsys, "http", server.url, "--client", "raw", "--latency-p95", "30",
            "--plot", str(page), *FAST,
        )  # fmt: skip
    assert code == 0, err
    assert "within the 30.0 ms bound" in out
    recommended = int(out.split("Recommended concurrency: ")[1].split()[0])
    assert recommended in (3, 4), out
    html = page.read_text()
    assert "<svg" in html and "<script" not in html and "p95 bound 30.0 ms" in html
    assert "| the p95 bound (30.0 ms)" in out  # the text chart's legend


def test_httpx_with_a_method_headers_and_a_body_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("httpx")
    body = tmp_path / "body.json"
    body.write_text('{"q": 1}')
    with LoopbackServer(workers=2, service_time=0.01) as server:
        url = server.url + "search"
        code, out, err = _tune(
            capsys, "http", url, "--client", "httpx", "-X", "post",
            "-H", "Content-Type: application/json", "--data", f"@{body}",
            "--levels", "1,2", *FAST,
        )  # fmt: skip
    assert code == 0, err
    assert err.startswith(f"tuning POST {url} (httpx)")
    # every call succeeded (a request the server could not parse would be an error), and
    # a level was chosen (which of the two depends on httpx's overhead on a loaded machine)
    assert err.count(" level ") == 2 and "errors" not in err, err
    assert "Recommended concurrency: 1" in out or "Recommended concurrency: 2" in out, out


def test_no_level_within_the_bound_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with LoopbackServer(workers=2, service_time=0.02) as server:
        code, out, _ = _tune(
            capsys, "http", server.url, "--client", "raw", "--levels", "1,2",
            "--latency-p95", "1", "--quiet", *FAST,
        )  # fmt: skip
    assert code == 1
    assert "Recommended concurrency: none" in out
    assert "No level met the p95 bound of 1.0 ms" in out
    assert "throughput (req/s)" not in out  # --quiet: no chart


def test_http_errors_before_the_sweep_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with LoopbackServer() as server:
        code, _, err = _tune(capsys, "http", server.url + "status/503", "--client", "raw", *FAST)
    _one_line_error(code, err, "failed before the sweep", "503")


def test_unreachable_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _tune(capsys, "http", "http://127.0.0.1:1/", "--client", "raw", *FAST)
    _one_line_error(code, err, "GET http://127.0.0.1:1/ failed before the sweep")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["http", "ftp://example.com/"], "is not an http:// or https:// URL"),
        (["http", "http://127.0.0.1:99999/"], "invalid port"),
        (["http", "http://127.0.0.1/", "-H", "NoColon"], "is not of the form 'Name: value'"),
        (["http", "http://127.0.0.1/", "--data", "@/nonexistent/body"], "cannot read --data"),
        (["http", "http://127.0.0.1/", "--client", "curl"], "invalid choice"),
        (["http", "http://127.0.0.1/", "--levels", "1,x"], "'x' is not a whole number"),
        (["http", "http://127.0.0.1/", "--levels", "0,2"], "at least 1"),
        (["http", "http://127.0.0.1/", "--duration", "-1"], "is not a positive number"),
        (["http", "http://127.0.0.1/", "--error-budget", "150%"], "between 0 and 1"),
        (
            ["http", "http://127.0.0.1/", "--latency-p99", "5", "--latency-p95", "5"],
            "not allowed with",
        ),
        (
            ["http", "http://127.0.0.1/", "--levels", "1,2", "--max-concurrency", "4"],
            "either --levels or --max-concurrency",
        ),
        (["http", "http://127.0.0.1/", "--plot", "chart.svg"], "use a .png or .html"),
        (["http", "http://127.0.0.1/", "--json", "/nonexistent/dir/x.json"], "does not exist"),
        (["http", "http://127.0.0.1/", "--json", "/"], "is a directory"),
        (["http", "http://127.0.0.1/", "--plot", "/tmp/"], "use a .png or .html"),
        (["http", "http://[::1"], "is not a valid URL: Invalid IPv6 URL"),
        (
            ["http", "http://127.0.0.1/", "--duration", "2", "--max-duration", "1"],
            "--max-duration (1 s) is shorter than --duration (2 s)",
        ),
        ([], "choose what to tune"),
        (["sql", "--query", "select 1"], "required: --dsn"),
    ],
)
def test_bad_options_are_one_line(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _tune(capsys, *argv)
    _one_line_error(code, err, needle)


def test_missing_matplotlib_is_named_before_the_sweep(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASYNCDOCTOR_PRETEND_MISSING", "matplotlib")
    code, _, err = _tune(capsys, "http", "http://127.0.0.1:1/", "--plot", "x.png")
    _one_line_error(code, err, "matplotlib is not installed; pip install 'asyncdoctor[plot]'")


def test_missing_client_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASYNCDOCTOR_PRETEND_MISSING", "httpx")
    code, _, err = _tune(capsys, "http", "http://127.0.0.1:1/", "--client", "httpx")
    _one_line_error(code, err, "httpx is not installed; pip install 'asyncdoctor[bench]'")


def test_missing_asyncpg_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASYNCDOCTOR_PRETEND_MISSING", "asyncpg")
    code, _, err = _tune(capsys, "sql", "--dsn", "postgresql://u@127.0.0.1/db", "--query", "x")
    _one_line_error(code, err, "asyncpg is not installed; pip install 'asyncdoctor[bench]'")


# --- tune call ----------------------------------------------------------------------------------

SERVICE = """
import asyncio
from contextlib import asynccontextmanager

_slots = None


async def op():
    # a service with 4 slots of 10 ms: capacity 400 calls/s, knee at 4
    global _slots
    if _slots is None:
        _slots = asyncio.Semaphore(4)
    async with _slots:
        await asyncio.sleep(0.01)


@asynccontextmanager
async def per_level(level):
    slots = asyncio.Semaphore(3)
    async def call():
        async with slots:
            await asyncio.sleep(0.01)
    yield call


def plain_factory():
    return op


def not_async():
    return 42


VALUE = 3
"""


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"tune_target_{os.getpid()}_{abs(hash(tmp_path)) % 10**8}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(SERVICE))
    (tmp_path / "broken_target.py").write_text("def f(:\n")
    (tmp_path / "raising_target.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "exiting_target.py").write_text("import sys\nasync def f():\n    sys.exit(3)\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(tmp_path)
    yield name
    for loaded in (name, "broken_target", "raising_target", "exiting_target"):
        sys.modules.pop(loaded, None)


@pytest.mark.parametrize(
    ("function", "knee", "levels"),
    [("op", 4, None), ("per_level", 3, "2,3,4"), ("plain_factory", 4, "3,4,6")],
)
def test_tune_call_finds_the_knee(
    module: str, function: str, knee: int, levels: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = ["--levels", levels] if levels else ["--max-concurrency", "32"]
    code, out, err = _tune(capsys, "call", f"{module}:{function}", *sweep, *FAST)
    assert code == 0, err
    recommended = int(out.split("Recommended concurrency: ")[1].split()[0])
    assert abs(recommended - knee) <= 0.2 * knee + 1e-9, out
    assert "<- recommended" in out and "* recommended level" in out


def test_tune_call_with_adaptive_and_uvloop(
    module: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("uvloop")
    report = tmp_path / "r.json"
    code, out, err = _tune(
        capsys, "call", f"{module}:op", "--loop", "uvloop", "--levels", "2,4,8",
        "--duration", "0.3", "--warmup", "0.05", "--min-samples", "20",
        "--adaptive-duration", "1", "--json", str(report),
    )  # fmt: skip
    assert code == 0, err
    assert "AdaptiveLimiter (ceiling 8) settled at" in out
    data = json.loads(report.read_text())
    assert data["adaptive"]["max_limit"] == 8
    assert data["adaptive"]["settled_limit"] >= 1
    assert data["settings"]["levels"] == [2, 4, 8]


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("no_such_module_xyz:op", "cannot import 'no_such_module_xyz': no module named"),
        ("broken_target:f", "syntax error in"),
        ("raising_target:f", "RuntimeError: boom at import"),
        ("exiting_target:f", "called sys.exit(3) before the sweep"),
        ("{module}:missing", "has no attribute 'missing'"),
        ("{module}:VALUE", "is an int, not a callable"),
        ("{module}:not_async", "returned int, not an async callable"),
        ("nocolon", "is not of the form module:function"),
    ],
)
def test_tune_call_bad_targets_are_one_line(
    module: str, spec: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _tune(capsys, "call", spec.format(module=module), *FAST)
    _one_line_error(code, err, needle)


def test_the_command_line_entry_point(module: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "asyncdoctor",
            "tune",
            "call",
            f"{module}:op",
            "--path",
            str(tmp_path),
            "--levels",
            "1,4",
            *FAST,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Recommended concurrency: 4" in result.stdout
    assert result.stderr.startswith("tuning ")


def test_a_failed_write_after_the_sweep_keeps_the_report(
    module: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the file could not be written after all (the early check cannot foresee
    # everything: a full disk, a directory removed meanwhile): the figures were
    # measured, so the table and the recommendation still reach stdout
    import asyncdoctor.cli._tune as tune_cli

    monkeypatch.setattr(tune_cli, "_check_outputs", lambda args: None)
    code, out, err = _tune(
        capsys, "call", f"{module}:op", "--levels", "1,2", *FAST,
        "--json", "/nonexistent/dir/x.json",
    )  # fmt: skip
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("asyncdoctor: cannot write '/nonexistent/dir/x.json'")
    assert "Recommended concurrency:" in out
