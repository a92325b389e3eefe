"""The ``asyncdoctor`` command: parses arguments, calls an engine, renders its result.

Exit codes, for every sub-command: 0 clean, 1 findings, 2 usage,
configuration or input error.  A usage or input error is always one line on
stderr (``asyncdoctor: ...``), never a traceback.

Sub-commands are listed in :data:`_COMMANDS`.  ``tune`` and ``bench`` live in
:mod:`._tune` and :mod:`._bench`: each has a ``register(commands)`` that adds
its parser and handler; a handler raises :class:`._errors.UsageError` for a
one-line error.  ``run`` lives in :mod:`._run` and is dispatched before this
parser is built (see ``cli/__init__.py``), so that the program it runs starts
fast.

Start-up time matters (pre-commit and editors run ``check`` on every save):
only the parser of the sub-command being run is built, the others are
one-line stubs for ``--help``, and every module a sub-command needs (the
checker, rich, asyncio...) is imported by its handler.
"""

from __future__ import annotations

import argparse
import os
import sys

from .._version import __version__
from ._errors import UsageError

TYPE_CHECKING = False  # not `from typing import ...`: typing costs start-up time
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path
    from typing import NoReturn, TextIO

    from ..check._config import Config
    from ..check._models import CheckResult, RuleInfo

__all__ = ["main"]

_FORMATS = ("text", "json", "sarif", "github")
_COLOR_MODES = ("auto", "always", "never")


def main(argv: list[str] | None = None) -> int:
    """Run the ``asyncdoctor`` command with ``argv`` (``sys.argv[1:]`` by default)."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = _build_parser(_command_of(arguments))
    try:
        args, extras = parser.parse_known_args(arguments)
        if extras:  # reported by the sub-command's parser, whose --help is the useful one
            owner: _Parser = getattr(args, "command_parser", parser)
            owner.error(f"unrecognized arguments: {' '.join(extras)}")
    except _UsageError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    args.command_line = ["asyncdoctor", *arguments]  # as typed, for hints that repeat it
    from ..check._config import ConfigError
    from ..check._discovery import PathError

    try:
        return handler(args)
    except (ConfigError, PathError, _UsageError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", code=130)
    except BrokenPipeError:  # e.g. `asyncdoctor check | head`
        _silence_stdout()
        return 1


# --- the parser -------------------------------------------------------------------------------


_UsageError = UsageError


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, raised rather than printed."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _command_of(arguments: Sequence[str]) -> str | None:
    """The sub-command ``arguments`` run: the first one that is not an option."""
    for argument in arguments:
        if not argument.startswith("-"):
            return argument if argument in _COMMANDS else None
        if argument in ("-h", "--help", "--version"):
            return None
    return None


def _build_parser(command: str | None = None) -> _Parser:
    """The parser, with the sub-parser of ``command`` alone complete.

    The other sub-commands are stubs that only give their one-line help:
    ``_build_parser()`` is enough for ``asyncdoctor --help`` and
    ``_build_parser("check")`` parses ``check``'s options.
    """
    parser = _Parser(
        prog="asyncdoctor",
        description="Find, prove, show and fix what goes wrong in asyncio code.",
        epilog="Exit codes: 0 clean, 1 problems found, 2 usage, configuration or input error.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"asyncdoctor {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for name, (summary, register) in _COMMANDS.items():
        if name == command:
            register(commands)
        else:
            commands.add_parser(name, help=summary, add_help=False)
    return parser


def _comma_list(text: str) -> list[str]:
    """``--select a,b``: the items of a comma-separated list (as ``run``'s options take them)."""
    from ._run import _comma_list as split  # one definition, imported when an option uses it

    return split(text)


def _add_check(commands: argparse._SubParsersAction[_Parser]) -> None:
    check = commands.add_parser(
        "check",
        help=_COMMANDS["check"][0],
        description=(
            "Check Python files for asyncio problems. Rule selectors are codes (ADC101), "
            "code prefixes (ADC1), names (blocking-call), categories (blocking) or ALL."
        ),
        epilog="Exit codes: 0 clean, 1 problems found, 2 usage, configuration or input error.",
        allow_abbrev=False,
    )
    from pathlib import Path

    from ._options import positive_int

    check.set_defaults(handler=_cmd_check, command_parser=check)
    check.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: .)"
    )
    output = check.add_argument_group("output")
    output.add_argument("--format", choices=_FORMATS, default="text", help="default: text")
    output.add_argument(
        "--output-file", "-o", type=Path, metavar="FILE", help="write here, not stdout"
    )
    output.add_argument(
        "--statistics", action="store_true", help="print how many problems each rule found"
    )
    output.add_argument(
        "--show-source", action="store_true", help="show the offending source lines"
    )
    output.add_argument("--color", choices=_COLOR_MODES, default="auto", help="default: auto")
    output.add_argument(
        "--quiet", "-q", action="store_true", help="print the problems and nothing else"
    )
    output.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    output.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when problems are found"
    )

    rules = check.add_argument_group("rule selection (comma-separated selectors)")
    rules.add_argument(
        "--select", action="extend", type=_comma_list, metavar="RULES",
        help="run only these rules (replaces the configured select and extend-select)",
    )  # fmt: skip
    rules.add_argument(
        "--extend-select", action="extend", type=_comma_list, default=[], metavar="RULES",
        help="run these rules as well",
    )  # fmt: skip
    rules.add_argument(
        "--ignore", action="extend", type=_comma_list, default=[], metavar="RULES",
        help="do not run these rules (added to the configured ignore)",
    )  # fmt: skip
    rules.add_argument(
        "--preview", action="store_true",
        help="also report findings whose evidence is weaker (hidden by default)",
    )  # fmt: skip
    rules.add_argument(
        "--show-all-sites", action="store_true",
        help="report a cause reached from many async functions at each of them, not once",
    )  # fmt: skip
    rules.add_argument(
        "--no-learn-installed", action="store_true",
        help="do not read installed libraries' source for what their functions do",
    )  # fmt: skip

    files = check.add_argument_group("file selection (comma-separated gitignore-style patterns)")
    files.add_argument(
        "--exclude", action="extend", type=_comma_list, metavar="PATTERNS",
        help="exclude these paths (replaces the configured exclude)",
    )  # fmt: skip
    files.add_argument(
        "--extend-exclude", action="extend", type=_comma_list, default=[], metavar="PATTERNS",
        help="exclude these paths as well",
    )  # fmt: skip
    files.add_argument(
        "--force-exclude", action="store_true",
        help="apply the exclusions to paths named on the command line too (for pre-commit)",
    )  # fmt: skip

    run = check.add_argument_group("configuration and performance")
    run.add_argument("--config", type=Path, metavar="FILE", help="use this file, skip the search")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    run.add_argument("--cache-dir", type=Path, metavar="DIR", help="where to keep the cache")
    run.add_argument("--jobs", "-j", type=positive_int, metavar="N", help="worker processes")


def _add_rules(commands: argparse._SubParsersAction[_Parser]) -> None:
    rules = commands.add_parser(
        "rules",
        help=_COMMANDS["rules"][0],
        description="List every rule: code, name, category and summary.",
        allow_abbrev=False,
    )
    rules.set_defaults(handler=_cmd_rules, command_parser=rules)
    rules.add_argument("--format", choices=("text", "json"), default="text", help="default: text")


def _add_rule(commands: argparse._SubParsersAction[_Parser]) -> None:
    rule = commands.add_parser(
        "rule",
        help=_COMMANDS["rule"][0],
        description="Print a rule's documentation.",
        allow_abbrev=False,
    )
    rule.set_defaults(handler=_cmd_rule, command_parser=rule)
    rule.add_argument("rule", metavar="CODE_OR_NAME", help="e.g. ADC101 or blocking-call")


def _add_run(commands: argparse._SubParsersAction[_Parser]) -> None:
    # `asyncdoctor run ...` is dispatched before this parser (see cli/__init__.py); this entry
    # lists it in --help and serves callers of this `main`.
    from . import _run

    run = commands.add_parser(
        "run",
        help=_COMMANDS["run"][0],
        usage=_run.USAGE,
        description=_run.DESCRIPTION,
        epilog=_run.EPILOG,
        allow_abbrev=False,
    )
    run.set_defaults(handler=_run.run_command, command_parser=run)
    _run.add_arguments(run)


def _add_tune(commands: argparse._SubParsersAction[_Parser]) -> None:
    from . import _tune

    _tune.register(commands)


def _add_top(commands: argparse._SubParsersAction[_Parser]) -> None:
    from . import _top

    _top.register(commands)


def _add_trace(commands: argparse._SubParsersAction[_Parser]) -> None:
    from . import _trace

    _trace.register(commands)


def _add_bench(commands: argparse._SubParsersAction[_Parser]) -> None:
    from . import _bench

    _bench.register(commands)


#: name -> (the one-line help ``asyncdoctor --help`` shows, what adds its parser), in order.
#: ``tune`` and ``bench`` register themselves with the same help (tests/cli checks it).
_COMMANDS: dict[str, tuple[str, Callable[[argparse._SubParsersAction[_Parser]], None]]] = {
    "check": ("find asyncio problems in Python files without running them", _add_check),
    "rules": ("list every rule", _add_rules),
    "rule": ("explain one rule", _add_rule),
    "run": ("run a Python program under the runtime doctor", _add_run),
    "tune": (
        "find the concurrency level that maximises throughput within a latency bound",
        _add_tune,
    ),
    "bench": ("measure HTTP clients and event loops on this machine", _add_bench),
    "top": ("a live view of a running program's loops and tasks", _add_top),
    "trace": ("write a running program's timeline now (Chrome trace or HTML)", _add_trace),
}


# --- seams: the engine and the registry are imported only when needed ----------------------------


def _registry() -> tuple[tuple[RuleInfo, ...], Mapping[str, str]]:
    """Every rule, and the category descriptions."""
    from ..check.rules import CATEGORIES, all_rules

    return all_rules(), CATEGORIES


def _catalog() -> tuple[RuleInfo, ...]:
    """Every rule's code, name and category: enough to check selectors, without the rules."""
    from ..check._catalog import catalog

    return catalog()


def _check_paths(
    paths: Sequence[Path], config: Config, *, progress: Callable[[int, int], None] | None
) -> CheckResult:
    from ..check._engine import check_paths

    return check_paths(paths, config, progress=progress)


# --- check --------------------------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..check._discovery import PathError
    from ..check._selection import selected_codes
    from ._progress import ProgressBar

    paths: list[Path] = args.paths or [Path(".")]
    for path in paths:
        if not path.exists():
            raise PathError(f"path '{path}' does not exist")
    config = _check_config(args, paths)
    selected_codes(config, rules=_catalog())  # an unknown selector fails here, before any work

    show_progress = not (args.quiet or args.no_progress) and _isatty(sys.stderr)
    with ProgressBar(stream=sys.stderr, enabled=show_progress) as progress:
        result = _check_paths(paths, config, progress=progress)

    from . import _render as render

    cwd = Path.cwd()
    if args.output_file is not None:
        try:
            with args.output_file.open("w", encoding="utf-8") as stream:
                stream.write(_render(args, result, paths, cwd, stream))
        except OSError as exc:
            raise _UsageError(f"cannot write '{args.output_file}': {exc.strerror or exc}") from None
    else:
        sys.stdout.write(_render(args, result, paths, cwd, sys.stdout))
        sys.stdout.flush()

    if result.errors and (args.format in ("json", "sarif") or args.statistics):
        import dataclasses

        errors_only = dataclasses.replace(result, findings=())
        color = _use_color(args.color, sys.stderr)
        sys.stderr.write(render.render_text(errors_only, cwd=cwd, color=color))
    nothing = _nothing_checked(result, paths)
    if nothing is not None:
        # ruff warns and exits 0; a CI job pointed at the wrong (or an empty) directory then
        # passes forever, so this is an input error, with one exception: files named on the
        # command line and all excluded by --force-exclude, which is what pre-commit passes.
        if nothing:
            return _fail(nothing)
        if not args.quiet:
            print("No files checked: every file given is excluded (--force-exclude).",
                  file=sys.stderr)
        return 0
    if not args.quiet:
        print(render.summary_line(result), file=sys.stderr)
        for hint in render.summary_hints(result, args.command_line):
            print(hint, file=sys.stderr)

    code = result.exit_code
    return 0 if code == 1 and args.exit_zero else code


def _nothing_checked(result: CheckResult, paths: Sequence[Path]) -> str | None:
    """Why nothing was checked: an error message, ``""`` when that is fine, None if not so."""
    if result.files_checked or result.errors:
        return None
    folders = [path for path in paths if path.is_dir()]
    if not folders:
        return ""  # every path a file: --force-exclude excluded them all
    shown = ", ".join(f"'{folder}'" for folder in folders)
    return f"no Python files found in {shown} (none there, or all excluded)"


def _check_config(args: argparse.Namespace, paths: Sequence[Path]) -> Config:
    """The configuration of the project holding ``paths``, with the command line applied."""
    import dataclasses
    from pathlib import Path

    from ..check._config import load_config

    try:
        start = Path(os.path.commonpath([os.path.abspath(path) for path in paths]))
    except ValueError:  # paths on different drives
        start = Path.cwd()
    overrides: dict[str, object] = {}
    if args.select is not None:
        overrides["select"] = tuple(args.select)
        overrides["extend_select"] = ()
    if args.exclude is not None:
        overrides["exclude"] = tuple(args.exclude)
    if args.force_exclude:
        overrides["force_exclude"] = True
    if args.preview:
        overrides["preview"] = True
    if args.show_all_sites:
        overrides["show_all_sites"] = True
    if args.no_learn_installed:
        overrides["learn_installed"] = False
    if args.no_cache:
        overrides["cache"] = False
    if args.cache_dir is not None:
        overrides["cache_dir"] = Path(os.path.abspath(args.cache_dir))
    if args.jobs is not None:
        overrides["jobs"] = args.jobs
    config = load_config(start, config_file=args.config, overrides=overrides)
    return dataclasses.replace(
        config,
        extend_select=(*config.extend_select, *args.extend_select),
        ignore=(*config.ignore, *args.ignore),
        extend_exclude=(*config.extend_exclude, *args.extend_exclude),
    )


def _render(
    args: argparse.Namespace,
    result: CheckResult,
    paths: Sequence[Path],
    cwd: Path,
    stream: TextIO,
) -> str:
    from . import _render as render

    if args.statistics:
        return render.render_statistics(result, as_json=args.format == "json")
    if args.format == "json":
        return render.render_json(result, cwd=cwd)
    if args.format == "sarif":
        rules, _ = _registry()
        return render.render_sarif(result, rules=rules, root=render.report_root(paths, cwd))
    if args.format == "github":
        return render.render_github(result, root=render.report_root(paths, cwd))
    color = _use_color(args.color, stream)
    return render.render_text(result, cwd=cwd, color=color, show_source=args.show_source)


# --- rules and rule -----------------------------------------------------------------------------


def _cmd_rules(args: argparse.Namespace) -> int:
    rules, _ = _registry()
    if args.format == "json":
        import json

        data = [
            {"code": r.code, "name": r.name, "category": r.category, "summary": r.summary}
            for r in rules
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    header = ("CODE", "NAME", "CATEGORY", "SUMMARY")
    rows = [header, *((r.code, r.name, r.category, r.summary) for r in rules)]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    bold = _use_color("auto", sys.stdout)
    for number, row in enumerate(rows):
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        line = f"{line}  {row[3]}"
        if number == 0 and bold:
            line = f"\x1b[1m{line}\x1b[0m"
        print(line)
    return 0


def _cmd_rule(args: argparse.Namespace) -> int:
    rules, categories = _registry()
    wanted = args.rule.strip()
    for info in rules:
        if info.code.lower() == wanted.lower() or info.name == wanted.lower():
            break
    else:
        import difflib

        words = [info.code for info in rules] + [info.name for info in rules]
        close = difflib.get_close_matches(wanted, words, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "see 'asyncdoctor rules'"
        raise _UsageError(f"unknown rule '{wanted}' ({hint})")
    from ._docs import rule_page

    page = rule_page(info, categories)
    if _isatty(sys.stdout) and _use_color("auto", sys.stdout):
        from rich.console import Console
        from rich.markdown import Markdown

        Console(file=sys.stdout).print(Markdown(page))
    else:
        sys.stdout.write(page)
    return 0


# --- terminal helpers ---------------------------------------------------------------------------


def _use_color(mode: str, stream: TextIO) -> bool:
    """Whether to colour ``stream``: ``--color``, then ``NO_COLOR``, ``FORCE_COLOR``, a TTY."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _isatty(stream) and os.environ.get("TERM") != "dumb"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def _fail(message: str, *, code: int = 2) -> int:
    print(f"asyncdoctor: {message}", file=sys.stderr)
    return code


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that exiting does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
