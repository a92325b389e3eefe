"""``asyncdoctor bench http``: measure the HTTP clients and event loops installed here.

The engine is :func:`asyncdoctor.perf._bench.run_bench`; this module turns the
options into :class:`~asyncdoctor.perf._bench.BenchSettings`, shows progress
on stderr, and renders the report as a table on stdout (rich on a terminal,
plain text otherwise) and, with ``--json``, as JSON.

Exit codes: 0 measured, 2 usage or input error (a bad option, an unreachable
URL, a client or loop asked for by name that is not installed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._errors import UsageError
from ._options import check_writable, header, http_method, levels, positive_int, read_body

if TYPE_CHECKING:
    from ..perf._bench import BenchReport, BenchRound, BenchSettings, Combination, Spread

__all__ = ["register"]

_EPILOG = "Exit codes: 0 measured, 2 usage or input error. See docs/bench.md."


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``bench`` sub-command (and ``bench http``) to ``commands``."""
    bench = commands.add_parser(
        "bench",
        help="measure HTTP clients and event loops on this machine",
        description="Measure the installed HTTP clients and event loops on this machine.",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    bench.set_defaults(handler=_cmd_no_target, command_parser=bench)
    targets = bench.add_subparsers(title="benchmarks", metavar="BENCHMARK")

    http = targets.add_parser(
        "http",
        help="HTTP clients (aiohttp, httpx, raw) on asyncio and uvloop",
        description=(
            "Measure requests/s and requests per CPU second of each HTTP client on each event "
            "loop at several concurrency levels, against URL or, without one, a built-in "
            "loopback server. Each measurement runs in a fresh process; rounds are "
            "interleaved in a shuffled order so that the machine's drift favours no one."
        ),
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    http.set_defaults(handler=_cmd_http, command_parser=http)
    http.add_argument(
        "url", nargs="?", metavar="URL",
        help="http:// or https:// URL (default: a built-in loopback server)",
    )  # fmt: skip
    what = http.add_argument_group("what to measure")
    what.add_argument(
        "--clients", type=_names, metavar="LIST",
        help="comma-separated: aiohttp,httpx,raw (default: every one installed)",
    )  # fmt: skip
    what.add_argument(
        "--loops", type=_names, metavar="LIST",
        help="comma-separated: asyncio,uvloop (default: every one installed)",
    )  # fmt: skip
    what.add_argument(
        "--concurrency", type=levels, default=(1, 10, 50, 100), metavar="LIST",
        help="comma-separated concurrency levels (default: 1,10,50,100)",
    )  # fmt: skip
    how = http.add_argument_group("how long")
    how.add_argument(
        "--duration", type=_positive_seconds, default=1.0, metavar="S",
        help="measured seconds per round of each combination (default: 1)",
    )  # fmt: skip
    how.add_argument(
        "--rounds", type=positive_int, default=3, metavar="N",
        help="rounds per combination, interleaved (default: 3)",
    )  # fmt: skip
    how.add_argument(
        "--warmup", type=_seconds, default=0.5, metavar="S",
        help="unmeasured seconds before each round (default: 0.5)",
    )  # fmt: skip
    how.add_argument(
        "--timeout", type=_positive_seconds, default=30.0, metavar="S",
        help="per-request timeout (default: 30)",
    )  # fmt: skip
    how.add_argument(
        "--seed", type=int, metavar="N", help="seed for the shuffled order (default: random)"
    )
    request = http.add_argument_group("the request")
    request.add_argument("--method", "-X", default="GET", help="HTTP method (default: GET)")
    request.add_argument(
        "--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
        help="a request header (repeatable)",
    )  # fmt: skip
    request.add_argument(
        "--data", "-d", metavar="STR|@FILE", help="request body: a string, or @file to read one"
    )
    output = http.add_argument_group("output")
    output.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the report as JSON ('-': stdout)"
    )
    output.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")


def _cmd_no_target(args: argparse.Namespace) -> int:
    raise UsageError(
        "choose a benchmark: 'asyncdoctor bench http' (see 'asyncdoctor bench --help')"
    )


# --- option types -----------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(item.strip().lower() for item in text.split(",") if item.strip()))
    if not names:
        raise argparse.ArgumentTypeError("expected a comma-separated list of names")
    return names


def _seconds(text: str) -> float:
    try:
        value = float(text.strip().removesuffix("s"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 <= value < 1e6:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1e6 seconds, got {text}")
    return value


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


# --- the command --------------------------------------------------------------------------------


def _cmd_http(args: argparse.Namespace) -> int:
    from ..perf._bench import BenchError, BenchSettings, run_bench
    from ..perf._missing import MissingDependency

    settings = BenchSettings(
        url=args.url,
        clients=args.clients,
        loops=args.loops,
        concurrency=args.concurrency,
        duration=args.duration,
        rounds=args.rounds,
        warmup=args.warmup,
        method=http_method(args.method),
        headers=tuple(header(text) for text in args.header),
        body=None if args.data is None else read_body(args.data),
        timeout=args.timeout,
        seed=args.seed,
    )
    json_path = None if args.json is None or str(args.json) == "-" else args.json
    if json_path is not None:
        check_writable(json_path, "--json")  # before the measurements, not after them
    progress = None if args.quiet else _Progress(sys.stderr, settings)
    try:
        report = run_bench(settings, progress=progress)
    except (BenchError, MissingDependency) as exc:
        raise UsageError(str(exc)) from None

    if args.json is not None and json_path is None:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
        return 0
    if _isatty(sys.stdout) and not os.environ.get("NO_COLOR"):
        _render_rich(report, sys.stdout)
    else:
        sys.stdout.write(render_text(report))
    sys.stdout.flush()
    if json_path is not None:  # after the table: a failed write must not cost the figures
        try:
            json_path.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write '{json_path}': {exc.strerror or exc}") from None
    return 0


class _Progress:
    """One line on stderr per measurement (``[ 3/72] round 1/3: aiohttp on uvloop, ...``)."""

    def __init__(self, stream: TextIO, settings: BenchSettings) -> None:
        self._stream = stream
        self._settings = settings

    def __call__(
        self, done: int, total: int, combination: Combination, number: int, result: BenchRound
    ) -> None:
        width = len(str(total))
        errors = f", {result.errors:,} errors" if result.errors else ""
        print(
            f"[{done:>{width}}/{total}] round {number}/{self._settings.rounds}: "
            f"{combination.label}: {result.requests_per_second:,.0f} req/s{errors}",
            file=self._stream,
            flush=True,
        )


# --- rendering ----------------------------------------------------------------------------------

_HEADER = (
    "concurrency",
    "client",
    "loop",
    "req/s",
    "(min-max)",
    "req/CPU-s",
    "(min-max)",
    "errors",
    "p50 ms",
    "p99 ms",
)


def _rows(report: BenchReport) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for result in report.results:
        c = result.combination
        rps, cpu = result.requests_per_second, result.requests_per_cpu_second
        rows.append(
            (
                str(c.concurrency),
                c.client,
                c.loop,
                f"{rps.median:,.0f}",
                f"{rps.low:,.0f}-{rps.high:,.0f}",
                f"{cpu.median:,.0f}",
                f"{cpu.low:,.0f}-{cpu.high:,.0f}",
                f"{result.errors:,}",
                _ms(result.latency_p50),
                _ms(result.latency_p99),
            )
        )
    return rows


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.2f}"


def _notes(report: BenchReport, *, compact: bool = False) -> list[str]:
    s = report.settings
    target = report.server or report.url
    notes = [
        f"target: {target} ({s.method} {report.url})",
        f"median of {s.rounds} interleaved round{'s' if s.rounds != 1 else ''} of "
        f"{s.duration:g} s (after a {s.warmup:g} s warm-up), each in a fresh process",
        (
            "±: the farthest round from the median"
            if compact
            else "(min-max): the lowest and the highest round"
        )
        + "; req/CPU-s: requests per CPU second of the client's process",
    ]
    for result in report.results:
        if result.first_error:
            notes.append(f"{result.combination.label}: first error: {result.first_error}")
    notes.extend(f"skipped {skip.kind} {skip.name}: {skip.reason}" for skip in report.skipped)
    return notes


def render_text(report: BenchReport) -> str:
    """The report as an aligned plain-text table followed by notes."""
    rows = [_HEADER, *_rows(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    left = {1, 2}
    lines = []
    for row in rows:
        cells = [
            cell.ljust(widths[i]) if i in left else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join([*lines, "", *_notes(report)]) + "\n"


def _render_rich(report: BenchReport, stream: TextIO) -> None:
    """A compact table for a terminal: each rate as ``median ±x%`` (the farthest round)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title="asyncdoctor bench http", title_justify="left", box=box.SIMPLE_HEAD)
    header = ("conc.", "client", "loop", "req/s", "req/CPU-s", "errors", "p50 ms", "p99 ms")
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i in (1, 2) else "right", no_wrap=True)
    levels = [result.combination.concurrency for result in report.results]
    for i, result in enumerate(report.results):
        c = result.combination
        table.add_row(
            str(c.concurrency),
            c.client,
            c.loop,
            _with_spread(result.requests_per_second),
            _with_spread(result.requests_per_cpu_second),
            f"{result.errors:,}",
            _ms(result.latency_p50),
            _ms(result.latency_p99),
            end_section=i + 1 < len(levels) and levels[i + 1] != levels[i],
        )
    console = Console(file=stream)
    console.print(table)
    for note in _notes(report, compact=True):
        console.print(note, highlight=False, markup=False)


def _with_spread(spread: Spread) -> str:
    if not spread.median:
        return "0"
    farthest = max(spread.high - spread.median, spread.median - spread.low) / spread.median
    return f"{spread.median:,.0f} ±{farthest:.0%}"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
