"""``asyncdoctor tune`` end to end: real loopback servers with a known knee, and bad input.

``LoopbackServer(workers=N, service_time=s)`` serves at most N requests at once,
each for s seconds: its capacity is N/s requests per second, reached at
concurrency N.  The recommended level must be within 20% of N (widened by the
overhead the sweep measured, see ``_knee.py``), for two different N so that
nothing is fitted to one.  ``tune call`` runs its in-process services on a loop
with a virtual clock, where their service times are exact.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from asyncdoctor.cli._main import main
from asyncdoctor.perf import LoopbackServer
from asyncdoctor.perf._server import child_environment

from ..limits._vclock import VirtualClockLoop
from ._knee import check_the_knee_is_real, check_the_recommendation

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

# Long enough that a few calls per worker make a level; the knee tests' levels need
# fewer calls than the other tests' (a service time of 50-100 ms), and --max-duration
# keeps the low levels short.
KNEE = ["--duration", "0.5", "--warmup", "0.1", "--min-samples", "30", "--max-duration", "1.5"]


@pytest.mark.parametrize(
    ("workers", "service_time", "client"),
    [(8, 0.05, "aiohttp"), (24, 0.1, "raw")],
)
def test_recommends_the_knee_of_a_loopback_server(
    workers: int,
    service_time: float,
    client: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Robust by design on a busy machine: the knee is set by sleeping workers, not CPU;
    # the capacity (160 and 240 requests/s) is far below what either client can send
    # with a fraction of a core; the service times are long next to what a loaded machine
    # adds to a call; and the tolerance widens by the overhead the sweep measured.
    if client == "aiohttp":
        pytest.importorskip("aiohttp")
    report = tmp_path / "tune.json"
    with LoopbackServer(workers=workers, service_time=service_time) as server:
        code, out, err = _tune(
            capsys, "http", server.url, "--client", client, "--json", str(report),
            "--no-adaptive", *KNEE,
        )  # fmt: skip
    assert code == 0, err
    data = json.loads(report.read_text())
    check_the_recommendation(data, workers, service_time, out)
    assert f"Recommended concurrency: {data['recommended']}" in out
    by_level = {row["level"]: row for row in data["levels"]}
    check_the_knee_is_real(by_level, workers, service_time)
    # progress went to stderr, one line per level
    assert err.count(" level ") == len(data["levels"])


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


# A child interpreter in which some packages cannot be imported at all: a finder first on
# sys.meta_path refuses them, as if they had never been installed.
_WITHOUT = """
import sys

hidden = set(sys.argv[1].split(","))


class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Hide())
from asyncdoctor.cli._main import main

sys.exit(main(sys.argv[2:]))
"""


def _tune_without(hidden: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT, hidden, "tune", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=child_environment(),
    )


def test_without_aiohttp_and_httpx_tune_http_names_the_extra() -> None:
    # it used to fall back silently on the raw client, measuring something else than
    # the documented default with no word about it
    with LoopbackServer() as server:
        result = _tune_without("aiohttp,httpx", "http", server.url, *FAST)
    _one_line_error(result.returncode, result.stderr, "pip install 'asyncdoctor[bench]'")
    assert "needs aiohttp or httpx" in result.stderr and "--client raw" in result.stderr
    assert result.stdout == ""


def test_without_aiohttp_tune_http_says_it_uses_httpx() -> None:
    pytest.importorskip("httpx")
    with LoopbackServer() as server:
        url = server.url
        result = _tune_without("aiohttp", "http", url, "--levels", "1", *FAST)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "asyncdoctor: aiohttp is not installed, so tune http uses httpx "
        "(pip install 'asyncdoctor[bench]' for aiohttp)"
    )
    assert lines[1] == f"tuning GET {url} (httpx)"
    assert "Recommended concurrency: 1" in result.stdout


@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
def test_a_client_asked_for_but_not_installed_is_named(client: str) -> None:
    result = _tune_without(client, "http", "http://127.0.0.1:1/", "--client", client, *FAST)
    _one_line_error(
        result.returncode,
        result.stderr,
        f"asyncdoctor: {client} is not installed; pip install 'asyncdoctor[bench]'",
    )


def test_the_raw_client_needs_nothing_but_the_standard_library() -> None:
    with LoopbackServer() as server:
        url = server.url
        result = _tune_without(
            "aiohttp,httpx", "http", url, "--client", "raw", "--levels", "1", *FAST
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"tuning GET {url} (raw)"), result.stderr


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


@pytest.fixture
def virtual_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """``tune call`` runs on a loop with a virtual clock: the services' sleeps are exact."""
    import asyncdoctor.perf._clients as clients

    real = clients.loop_factory

    def factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
        return VirtualClockLoop if name == "asyncio" else real(name)

    monkeypatch.setattr(clients, "loop_factory", factory)


@pytest.mark.usefixtures("virtual_clock")
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
    assert f"Recommended concurrency: {knee}\n" in out, out
    assert "<- recommended" in out and "* recommended level" in out


@pytest.mark.usefixtures("virtual_clock")
def test_latency_bound_and_plots(
    module: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 4 slots of 10 ms, on the virtual clock: up to level 4 every call takes 10 ms; with 8
    # callers each waits one service time more (20 ms); a 15 ms bound lies between (on a
    # real clock, one stall of a busy machine pushed level 4's p95 over such a bound)
    page = tmp_path / "tune.html"
    code, out, err = _tune(
        capsys, "call", f"{module}:op", "--latency-p95", "15", "--levels", "2,4,8",
        "--plot", str(page), *FAST,
    )  # fmt: skip
    assert code == 0, err
    assert "within the 15.0 ms bound" in out
    assert "Recommended concurrency: 4\n" in out, out
    html = page.read_text()
    assert "<svg" in html and "<script" not in html and "p95 bound 15.0 ms" in html
    assert "| the p95 bound (15.0 ms)" in out  # the text chart's legend


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


@pytest.mark.usefixtures("virtual_clock")
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
