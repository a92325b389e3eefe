"""The bench engine end to end (tiny rounds), its interleaving, and ``asyncdoctor bench http``."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from asyncdoctor.cli import main
from asyncdoctor.cli._bench import _render_rich, render_text
from asyncdoctor.perf import LoopbackServer, MissingDependency
from asyncdoctor.perf._bench import (
    BenchError,
    BenchReport,
    BenchResult,
    BenchRound,
    BenchSettings,
    Combination,
    Skipped,
    Spread,
    _run_worker,
    plan_rounds,
    run_bench,
)
from asyncdoctor.perf._bench_worker import _percentile
from asyncdoctor.perf._missing import PRETEND_MISSING_ENV

TINY = ["--duration", "0.15", "--rounds", "1", "--warmup", "0", "--concurrency", "2"]


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- interleaving -------------------------------------------------------------------------------


def test_every_round_runs_every_combination_once_in_its_own_shuffled_order() -> None:
    combinations = [Combination(c, "asyncio", n) for c in ("a", "b", "c") for n in (1, 10, 100)]
    plan = plan_rounds(combinations, 5, seed=7)
    assert len(plan) == 5
    for order in plan:
        assert sorted(order) == sorted(combinations)
    assert len({tuple(order) for order in plan}) > 1  # shuffled anew for each round
    assert plan == plan_rounds(combinations, 5, seed=7)  # a seed makes it reproducible


def test_engine_end_to_end_interleaves_rounds_and_reports_sane_numbers() -> None:
    calls: list[tuple[Combination, int]] = []
    settings = BenchSettings(
        clients=("aiohttp", "raw"),
        loops=("asyncio",),
        concurrency=(2,),
        duration=0.2,
        rounds=2,
        warmup=0.05,
        seed=3,
    )
    report = run_bench(settings, progress=lambda d, t, c, n, r: calls.append((c, n)))

    # round 1 of every combination ran before any round 2, in the planned (shuffled) order
    assert [number for _, number in calls] == [1, 1, 2, 2]
    assert [c for c, _ in calls] == [c for order in report.order for c in order]
    planned = plan_rounds([Combination(c, "asyncio", 2) for c in ("aiohttp", "raw")], 2, seed=3)
    assert report.order == tuple(tuple(order) for order in planned)
    assert report.server is not None and report.server.startswith("built-in loopback server")

    assert [r.combination.client for r in report.results] == ["aiohttp", "raw"]
    for result in report.results:
        assert [r.round for r in result.rounds] == [1, 2]
        assert result.errors == 0
        assert result.requests_per_second.median > 0
        low, high = result.requests_per_second.low, result.requests_per_second.high
        assert low <= result.requests_per_second.median <= high
        # the client cannot use more than one CPU second per second: req/CPU-s >= req/s
        assert result.requests_per_cpu_second.median >= 0.9 * result.requests_per_second.median
        assert result.latency_p50 is not None and result.latency_p99 is not None
        assert 0 < result.latency_p50 <= result.latency_p99
        for measured in result.rounds:
            # the window is a 0.2 s sleep: never shorter (a timer may fire a clock tick
            # early), later only by what a busy machine delays it
            assert 0.2 - 0.005 <= measured.elapsed < 10
            assert measured.requests > 0
            assert 0 < measured.cpu_seconds < 2 * measured.elapsed

    data = json.loads(json.dumps(report.to_json()))
    assert data["settings"]["rounds"] == 2
    assert {r["client"] for r in data["results"]} == {"aiohttp", "raw"}
    assert len(data["results"][0]["rounds"]) == 2
    assert data["results"][0]["requests_per_second"]["median"] > 100
    assert len(data["order"]) == 2


def test_engine_counts_error_statuses_without_counting_them_as_throughput(
    server: LoopbackServer,
) -> None:
    settings = BenchSettings(
        url=f"{server.url}status/503",
        clients=("raw",),
        loops=("asyncio",),
        concurrency=(1,),
        duration=0.1,
        rounds=1,
        warmup=0,
    )
    (result,) = run_bench(settings).results
    assert result.errors > 10
    assert result.requests_per_second.median == 0
    assert result.latency_p50 is None
    assert result.first_error == "RequestFailed: HTTP status 503"


def test_engine_rejects_bad_settings_and_unknown_or_missing_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(BenchError, match="at least 1"):
        run_bench(BenchSettings(concurrency=(0,)))
    with pytest.raises(BenchError, match="duration"):
        run_bench(BenchSettings(duration=0))
    with pytest.raises(BenchError, match="unknown client 'curl'"):
        run_bench(BenchSettings(clients=("curl",)))
    with pytest.raises(BenchError, match="cannot connect"):
        run_bench(BenchSettings(url=f"http://127.0.0.1:{_free_port()}/", clients=("raw",)))
    monkeypatch.setenv(PRETEND_MISSING_ENV, "httpx")
    with pytest.raises(MissingDependency, match="httpx is not installed"):
        run_bench(BenchSettings(clients=("raw", "httpx")))


def test_a_failing_worker_is_a_one_line_bench_error(server: LoopbackServer) -> None:
    settings = BenchSettings(duration=0.05, warmup=0)
    with pytest.raises(BenchError, match=r"^curl on asyncio, concurrency 1: KeyError: .*unknown"):
        _run_worker(server.url, Combination("curl", "asyncio", 1), 1, settings)


def test_summaries() -> None:
    assert _percentile([], 0.5) is None
    assert _percentile([1.0], 0.99) == 1.0
    values = [float(v) for v in range(1, 101)]
    assert _percentile(values, 0.5) == 50.0
    assert _percentile(values, 0.99) == 99.0
    spread = Spread.of([10.0, 30.0, 20.0])
    assert (spread.median, spread.low, spread.high) == (20.0, 10.0, 30.0)
    assert spread.relative == pytest.approx(1.0)


# --- rendering ----------------------------------------------------------------------------------


def _report() -> BenchReport:
    def rounds(rate: float, errors: int = 0) -> list[BenchRound]:
        return [
            BenchRound(n, int(rate * (1 + n / 10)), errors, 1.0, 0.5, 0.001, 0.004) for n in (1, 2)
        ]

    combination = Combination("aiohttp", "uvloop", 10)
    failing = Combination("raw", "asyncio", 10)
    failed = [BenchRound(1, 0, 7, 1.0, 0.9, None, None, "RequestFailed: HTTP status 500")]
    return BenchReport(
        url="http://127.0.0.1:1/",
        server="built-in loopback server on uvloop",
        settings=BenchSettings(rounds=2),
        results=(BenchResult.of(combination, rounds(4000)), BenchResult.of(failing, failed)),
        skipped=(Skipped("client", "httpx", "httpx is not installed; pip install 'x[bench]'"),),
        order=((combination, failing), (combination,)),
    )


def test_text_table_shows_medians_spread_errors_and_skips() -> None:
    text = render_text(_report())
    header, first, second = text.splitlines()[:3]
    assert header.split() == [
        "concurrency", "client", "loop", "req/s", "(min-max)", "req/CPU-s", "(min-max)",
        "errors", "p50", "ms", "p99", "ms",
    ]  # fmt: skip
    assert first.split() == [
        "10", "aiohttp", "uvloop", "4,600", "4,400-4,800", "9,200", "8,800-9,600", "0", "1.00",
        "4.00",
    ]  # fmt: skip
    assert second.split()[-3:] == ["7", "-", "-"]
    assert "raw on asyncio, concurrency 10: first error: RequestFailed: HTTP status 500" in text
    assert "skipped client httpx: httpx is not installed" in text


def test_terminal_table_shows_each_rate_with_its_spread() -> None:
    stream = io.StringIO()
    _render_rich(_report(), stream)
    text = " ".join(stream.getvalue().split())  # the notes wrap at the console's width
    assert "4,600 ±4%" in text and "9,200 ±4%" in text
    assert "±: the farthest round from the median" in text
    assert "skipped client httpx" in text


# --- the command line ---------------------------------------------------------------------------


def test_cli_measures_and_writes_json_listing_what_was_skipped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv(PRETEND_MISSING_ENV, "uvloop")
    out = tmp_path / "bench.json"
    assert main(["bench", "http", "--clients", "raw", *TINY, "--json", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].split()[:3] == ["2", "raw", "asyncio"]
    assert "skipped loop uvloop: uvloop is not installed; pip install 'asyncdoctor[bench]'" in (
        captured.out
    )
    assert "[1/1] round 1/1: raw on asyncio, concurrency 2:" in captured.err
    data = json.loads(out.read_text())
    assert data["server"] == "built-in loopback server on asyncio"
    assert [(r["client"], r["loop"]) for r in data["results"]] == [("raw", "asyncio")]
    assert data["skipped"] == [
        {
            "kind": "loop",
            "name": "uvloop",
            "reason": "uvloop is not installed; pip install 'asyncdoctor[bench]'",
        }
    ]


def test_cli_json_to_stdout_against_a_url(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "http", server.url, "--clients", "raw", "--loops", "asyncio", *TINY]
    assert main([*argv, "-X", "post", "-H", "X-A: 1", "-d", "body", "--json", "-", "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    data = json.loads(captured.out)
    assert data["url"] == server.url and data["server"] is None
    assert data["settings"]["method"] == "POST"
    assert data["settings"]["headers"] == [["X-A", "1"]]
    assert data["results"][0]["errors"] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench"], "choose a benchmark"),
        (["bench", "http", "--concurrency", "0"], "concurrency levels must be at least 1"),
        (["bench", "http", "--concurrency", "ten"], "'ten' is not a whole number"),
        (["bench", "http", "--duration", "0"], "must be more than 0 seconds"),
        (["bench", "http", "--rounds", "x"], "'x' is not a whole number"),
        (["bench", "http", "--bogus"], "unrecognized arguments: --bogus"),
        (["bench", "http", "--clients", "curl"], "unknown client 'curl'"),
        (["bench", "http", "--loops", "trio"], "unknown loop 'trio'"),
        (["bench", "http", "-H", "no colon"], "header 'no colon' is not of the form"),
        (["bench", "http", "-d", "@/no/such/file"], "cannot read --data file '/no/such/file'"),
        (["bench", "http", "ftp://example.org/"], "is not an http:// or https:// URL"),
        (["bench", "http", "http://[::1"], "is not a valid URL: Invalid IPv6 URL"),
        (["bench", "http", "-X", "GE T", *TINY], "'GE T' is not an HTTP method"),
        (["bench", "http", "http://127.0.0.1:PORT/"], "cannot connect to http://127.0.0.1:"),
    ],
)
def test_cli_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [arg.replace("PORT", str(_free_port())) for arg in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert line.startswith("asyncdoctor: ")
    assert message in line
    assert captured.out == ""


@pytest.mark.parametrize(("option", "name"), [("--clients", "httpx"), ("--loops", "uvloop")])
def test_cli_explicitly_requested_missing_package_is_one_line_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: str, name: str
) -> None:
    monkeypatch.setenv(PRETEND_MISSING_ENV, name)
    assert main(["bench", "http", option, name, *TINY]) == 2
    line = one_line(capsys.readouterr().err)
    assert line == f"asyncdoctor: {name} is not installed; pip install 'asyncdoctor[bench]'"


@pytest.mark.parametrize("path", ["/", "/no/such/dir/bench.json"])
def test_cli_unwritable_json_fails_before_measuring(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    # a default run measures for minutes: learning only afterwards that the report
    # cannot be written loses all of it
    import asyncdoctor.perf._bench as bench_engine

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("measured before checking --json")

    monkeypatch.setattr(bench_engine, "run_bench", must_not_run)
    assert main(["bench", "http", "--json", path]) == 2
    captured = capsys.readouterr()
    assert one_line(captured.err).startswith(f"asyncdoctor: --json '{path}'")
