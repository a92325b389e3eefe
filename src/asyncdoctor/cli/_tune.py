"""``asyncdoctor tune``: find the concurrency level that maximises throughput within a bound.

Three targets share every option: ``tune http URL``, ``tune sql --dsn ...
--query ...`` and ``tune call module:function``.  The engine is
:func:`asyncdoctor.perf._tune.tune`; this module builds the target, shows
progress on stderr, and renders the result (a table, the recommendation and
why, the adaptive comparison, a text chart) on stdout, plus ``--json`` and
``--plot``.

Exit codes: 0 a level was recommended, 1 no level met the latency bound and
the error budget, 2 usage or input error (including a target that fails
before the sweep starts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ._errors import UsageError
from ._options import check_writable, header, http_method, levels, positive_int, read_body

__all__ = ["register"]

_EPILOG = (
    "Exit codes: 0 a level was recommended, 1 no level met the latency bound and the error "
    "budget, 2 usage or input error. See docs/tune.md."
)


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``tune`` sub-command (and ``tune http``/``sql``/``call``) to ``commands``."""
    tune = commands.add_parser(
        "tune",
        help="find the concurrency level that maximises throughput within a latency bound",
        description=(
            "Measure a target at rising concurrency levels (1, 2, 4, ... then refined around "
            "the knee) and recommend the smallest level that reaches 95% of the best "
            "throughput within the latency bound."
        ),
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    tune.set_defaults(handler=_cmd_no_target, command_parser=tune)
    targets = tune.add_subparsers(title="targets", metavar="TARGET")

    http = targets.add_parser(
        "http",
        help="an HTTP endpoint",
        description="Tune the concurrency of requests to an HTTP endpoint.",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    http.set_defaults(handler=_cmd_http, command_parser=http)
    http.add_argument("url", metavar="URL", help="http:// or https:// URL")
    http.add_argument("--method", "-X", default="GET", help="HTTP method (default: GET)")
    http.add_argument(
        "--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
        help="a request header (repeatable)",
    )  # fmt: skip
    http.add_argument(
        "--data", "-d", metavar="STR|@FILE", help="request body: a string, or @file to read one"
    )
    http.add_argument(
        "--client", choices=("aiohttp", "httpx", "raw"),
        help="client driver (default: aiohttp if installed, else httpx, said on stderr; "
        "with neither, an error names the extra to install)",
    )  # fmt: skip
    _add_common(http)

    sql = targets.add_parser(
        "sql",
        help="a SQL query on PostgreSQL (asyncpg)",
        description=(
            "Tune the concurrency of a query on PostgreSQL, through an asyncpg pool sized to "
            "each level."
        ),
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    sql.set_defaults(handler=_cmd_sql, command_parser=sql)
    sql.add_argument("--dsn", required=True, help="e.g. postgresql://user@127.0.0.1:5432/db")
    sql.add_argument("--query", required=True, metavar="SQL", help="the query to run")
    sql.add_argument("--args", metavar="JSON", help="query parameters as a JSON list")
    _add_common(sql)

    call = targets.add_parser(
        "call",
        help="your own coroutine function",
        description=(
            "Tune the concurrency of your own code: MODULE:FUNCTION is an async function "
            "taking no arguments (one call = one operation), or a factory, called per level "
            "(with the level if it takes one argument), returning such a function or an async "
            "context manager yielding one."
        ),
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    call.set_defaults(handler=_cmd_call, command_parser=call)
    call.add_argument("spec", metavar="MODULE:FUNCTION")
    call.add_argument(
        "--path", action="append", default=[], metavar="DIR",
        help="add DIR to the import path (repeatable; default: the current directory)",
    )  # fmt: skip
    _add_common(call)


def _add_common(parser: argparse.ArgumentParser) -> None:
    sweep = parser.add_argument_group("sweep")
    sweep.add_argument(
        "--max-concurrency", type=positive_int, metavar="N",
        help="highest level to try (default: 256)",
    )  # fmt: skip
    sweep.add_argument(
        "--levels", type=levels, metavar="N,N,...",
        help="measure exactly these levels instead of sweeping",
    )  # fmt: skip
    bound = sweep.add_mutually_exclusive_group()
    bound.add_argument(
        "--latency-p99", type=_positive_float, metavar="MS",
        help="recommend only levels whose p99 latency is at most MS milliseconds",
    )  # fmt: skip
    bound.add_argument(
        "--latency-p95", type=_positive_float, metavar="MS",
        help="the same bound on the p95 latency",
    )  # fmt: skip
    sweep.add_argument(
        "--duration", type=_positive_float, default=2.0, metavar="S",
        help="seconds measured per level, at least (default: 2)",
    )  # fmt: skip
    sweep.add_argument(
        "--warmup", type=_non_negative_float, default=0.5, metavar="S",
        help="seconds discarded at the start of each level (default: 0.5)",
    )  # fmt: skip
    sweep.add_argument(
        "--min-samples", type=positive_int, default=200, metavar="N",
        help="calls measured per level, at least (default: 200; capped by time)",
    )  # fmt: skip
    sweep.add_argument(
        "--max-duration", type=_positive_float, metavar="S",
        help="seconds per level at most, even short of --min-samples "
        "(default: 3 times --duration, at least 5)",
    )  # fmt: skip
    sweep.add_argument(
        "--error-budget", type=_fraction, default=0.01, metavar="FRACTION",
        help="share of calls that may fail at a recommended level, e.g. 0.01 or 1%% "
        "(default: 1%%)",
    )  # fmt: skip
    sweep.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio",
        help="event loop to run the sweep on (default: asyncio)",
    )  # fmt: skip
    adaptive = parser.add_argument_group("adaptive comparison")
    adaptive.add_argument(
        "--no-adaptive", action="store_true",
        help="skip the AdaptiveLimiter phase run after the sweep",
    )  # fmt: skip
    adaptive.add_argument(
        "--adaptive-duration", type=_positive_float, default=10.0, metavar="S",
        help="seconds the AdaptiveLimiter phase runs (default: 10)",
    )  # fmt: skip
    output = parser.add_argument_group("output")
    output.add_argument("--json", type=Path, metavar="FILE", help="write the result as JSON")
    output.add_argument(
        "--plot", type=Path, metavar="FILE",
        help="write a chart: FILE.png (needs matplotlib) or FILE.html (self-contained SVG)",
    )  # fmt: skip
    output.add_argument("--no-chart", action="store_true", help="no text chart on stdout")
    output.add_argument(
        "--quiet", "-q", action="store_true",
        help="no progress and no text chart: the table and the recommendation only",
    )  # fmt: skip


# --- handlers -----------------------------------------------------------------------------------


def _cmd_no_target(args: argparse.Namespace) -> int:
    raise UsageError("choose what to tune: http, sql or call (see 'asyncdoctor tune --help')")


def _cmd_http(args: argparse.Namespace) -> int:
    from ..perf._clients import http_endpoint
    from ..perf._targets import HttpTarget

    url: str = args.url
    try:
        http_endpoint(url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    headers = tuple(header(text) for text in args.header)
    body = None if args.data is None else read_body(args.data)
    method = http_method(args.method)
    client = _http_client(args.client)
    target = HttpTarget(url=url, method=method, headers=headers, body=body, client=client)
    return _run(args, target)


def _http_client(asked: str | None) -> str:
    """The client to tune with: the one asked for, else aiohttp, else httpx (said on stderr).

    A client that is not installed is a usage error naming the extra that installs it,
    before anything runs; so is having neither aiohttp nor httpx when none was asked for
    (the standard library's ``raw`` client is used only when asked for by name).
    """
    from ..perf._clients import available_clients, default_client

    if asked is not None:
        missing = available_clients()[asked]
        if missing is not None:
            raise UsageError(str(missing))
        return asked
    client = default_client()
    if client == "raw":
        raise UsageError(
            "tune http needs aiohttp or httpx: pip install 'asyncdoctor[bench]' "
            "(or --client raw for the standard library's client)"
        )
    if client != "aiohttp":
        print(
            f"asyncdoctor: aiohttp is not installed, so tune http uses {client} "
            "(pip install 'asyncdoctor[bench]' for aiohttp)",
            file=sys.stderr,
            flush=True,
        )
    return client


def _cmd_sql(args: argparse.Namespace) -> int:
    from ..perf._targets import SqlTarget, parse_sql_args
    from ..perf._tune import TuneError

    dsn: str = args.dsn
    if not dsn.startswith(("postgres://", "postgresql://")):
        raise UsageError(f"'{dsn}' is not a PostgreSQL DSN (postgresql://user@host:port/db)")
    try:
        query_args = parse_sql_args(args.args)
    except TuneError as exc:
        raise UsageError(str(exc)) from None
    return _run(args, SqlTarget(dsn=dsn, query=args.query, args=query_args))


def _cmd_call(args: argparse.Namespace) -> int:
    from ..perf._targets import load_callable
    from ..perf._tune import TuneError

    try:
        target = load_callable(args.spec, path=args.path or ["."])
    except TuneError as exc:
        raise UsageError(str(exc)) from None
    return _run(args, target)


def _run(args: argparse.Namespace, target: Any) -> int:
    from ..perf._clients import loop_factory
    from ..perf._missing import MissingDependency, ensure_installed
    from ..perf._tune import TuneError, tune

    _check_outputs(args)
    if args.plot is not None and args.plot.suffix.lower() == ".png":
        try:
            ensure_installed("matplotlib", extra="plot")
        except MissingDependency as exc:
            raise UsageError(str(exc)) from None
    try:
        factory = loop_factory(args.loop)
    except MissingDependency as exc:
        raise UsageError(str(exc)) from None
    if args.levels is not None and args.max_concurrency is not None:
        raise UsageError("use either --levels or --max-concurrency, not both")
    if args.max_duration is not None and args.max_duration < args.duration:
        # the engine would stretch it to --duration, and the JSON report a limit never used
        raise UsageError(
            f"--max-duration ({args.max_duration:g} s) is shorter than --duration "
            f"({args.duration:g} s)"
        )

    bound = args.latency_p99 if args.latency_p99 is not None else args.latency_p95
    progress = None if args.quiet else _Progress(sys.stderr)

    async def main() -> Any:
        await target.preflight()
        if progress is not None:
            print(f"tuning {target.description}", file=sys.stderr, flush=True)
        return await tune(
            target.session,
            levels=args.levels,
            max_level=args.max_concurrency or 256,
            latency_bound_ms=bound,
            bound_percentile="p95" if args.latency_p95 is not None else "p99",
            warmup=args.warmup,
            min_samples=args.min_samples,
            min_duration=args.duration,
            max_duration=args.max_duration,
            error_budget=args.error_budget,
            adaptive_duration=None if args.no_adaptive else args.adaptive_duration,
            target=target.description,
            progress=progress,
        )

    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            result = runner.run(main())
    except TuneError as exc:
        raise UsageError(str(exc)) from None
    except MissingDependency as exc:
        raise UsageError(str(exc)) from None

    out = sys.stdout
    out.write(render_table(result))
    out.write("\n" + render_summary(result))
    if not (args.quiet or args.no_chart):
        from ..perf._chart import text_chart

        out.write("\n" + text_chart(result))
    out.flush()
    # after the report: a file that cannot be written must not cost the sweep's figures
    _write_outputs(args, result)
    return 0 if result.recommended is not None else 1


def _check_outputs(args: argparse.Namespace) -> None:
    """Fail before a long sweep, not after it, when an output cannot be written."""
    if args.plot is not None and args.plot.suffix.lower() not in (".png", ".html", ".htm"):
        raise UsageError(f"--plot '{args.plot}': use a .png or .html file name")
    for option, path in (("--json", args.json), ("--plot", args.plot)):
        if path is not None:
            check_writable(path, option)


def _write_outputs(args: argparse.Namespace, result: Any) -> None:
    from ..perf._chart import write_chart
    from ..perf._missing import MissingDependency

    try:
        if args.json is not None:
            args.json.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
        if args.plot is not None:
            write_chart(result, args.plot)
    except OSError as exc:
        raise UsageError(f"cannot write '{exc.filename}': {exc.strerror or exc}") from None
    except MissingDependency as exc:
        raise UsageError(str(exc)) from None


# --- rendering ----------------------------------------------------------------------------------


def render_table(result: Any) -> str:
    """The levels as a table, the recommended one marked."""
    header = ("level", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors", "")
    rows = [header]
    for r in result.levels:
        errors = str(r.errors) if not r.errors else f"{r.errors} ({r.error_rate:.1%})"
        rows.append(
            (
                str(r.level),
                f"{r.throughput:,.1f}",
                _num(r.p50_ms),
                _num(r.p90_ms),
                _num(r.p99_ms),
                errors,
                "<- recommended" if r.level == result.recommended else "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = []
    for row in rows:
        cells = [row[i].rjust(widths[i]) for i in range(6)]
        lines.append(("  ".join(cells) + "  " + row[6]).rstrip())
    return "\n".join(lines) + "\n"


def render_summary(result: Any) -> str:
    """The recommendation and why, how the sweep ended, and the adaptive comparison."""
    lines = []
    if result.recommended is not None:
        lines.append(f"Recommended concurrency: {result.recommended}")
    else:
        lines.append("Recommended concurrency: none")
    lines.append(result.reason)
    lines.append(f"Sweep: {result.stopped}.")
    if result.comparison:
        lines.append(result.comparison)
    return "\n".join(lines) + "\n"


def _num(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


class _Progress:
    """Prints one line per finished level on stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def __call__(self, event: Any) -> None:
        from ..perf._tune import format_ms, format_rate

        if event.phase == "adaptive":
            if event.adaptive is None:
                text = f"  adaptive: AdaptiveLimiter, ceiling {event.level} ..."
            else:
                a = event.adaptive
                text = (
                    f"  adaptive: settled at {a.settled_limit}, {format_rate(a.throughput)}, "
                    f"p99 {format_ms(a.p99_ms)}"
                )
        elif event.result is None:
            return
        else:
            r = event.result
            text = (
                f"  {event.phase:<8} level {r.level:>4}: {format_rate(r.throughput):>14}, "
                f"p50 {format_ms(r.p50_ms)}, p99 {format_ms(r.p99_ms)}"
            )
            if r.errors:
                text += f", {r.errors} errors ({r.error_rate:.1%})"
        print(text, file=self._stream, flush=True)


# --- option parsing -----------------------------------------------------------------------------


def _typed(convert: Callable[[str], Any], check: Callable[[Any], bool], what: str) -> Any:
    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}") from None
        if not check(value):
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}")
        return value

    return parse


_positive_float = _typed(float, lambda v: math.isfinite(v) and v > 0, "a positive number")
_non_negative_float = _typed(float, lambda v: math.isfinite(v) and v >= 0, "a number >= 0")


def _fraction(text: str) -> float:
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a fraction (0.01) or a percentage (1%)"
        ) from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not between 0 and 1 (or 0% and 100%)")
    return value
