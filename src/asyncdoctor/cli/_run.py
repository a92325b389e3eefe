"""``asyncdoctor run``: run a Python program exactly as ``python`` would, with the doctor on.

``asyncdoctor run [OPTIONS] script.py [ARGS...]`` behaves like ``python script.py ARGS`` and
``asyncdoctor run [OPTIONS] -m module [ARGS...]`` like ``python -m module ARGS``.  The program
sees the same ``sys.argv``, ``sys.path[0]`` and ``__main__`` module; it prints the same
output, the same traceback for an exception nobody caught, ends with the same exit code and,
after an unhandled ``KeyboardInterrupt``, dies of the same ``SIGINT``.  The two additions are
the doctor, installed before the first line of the program runs, and its report on stderr
at exit: nothing when it found nothing, unless ``--always-report``.

How this module imitates the interpreter (CPython's ``Modules/main.c`` and
``Python/pythonrun.c``):

* a script is compiled with its absolute path (not normalised) as the file name and run in a
  fresh ``__main__`` module, which stays in ``sys.modules`` until the interpreter ends;
  ``sys.path[0]`` is the directory of the script's real path;
* a module (``-m``), a directory or a zip file goes through ``runpy._run_module_as_main``, the
  very function ``python -m`` calls, so its traceback shows the same ``<frozen runpy>`` lines;
* the runner's own frames are cut from the traceback, which is printed by ``sys.excepthook``
  as the interpreter would; ``SystemExit`` is translated as the interpreter translates it;
* after the program, the non-daemon threads are waited for (``threading._shutdown``, the
  first step of the interpreter's finalisation) so that loops running in threads are
  reported too; then comes the report, then the interpreter finishes as usual (``atexit``
  handlers, flushing) with the program's exit code.

``--fail-on KINDS`` turns a successful exit (0) into 1 when a finding of those kinds exists;
a program that already fails keeps its own exit code, which says more.  Usage errors exit 2.
"""

from __future__ import annotations

import builtins
import os
import sys
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO

if TYPE_CHECKING:
    import argparse

    from ..runtime import Doctor, RuntimeReport
    from ..runtime._merge import Processes

__all__ = ["add_arguments", "main", "run_command"]

DESCRIPTION = (
    "Run a Python program as `python script.py` or `python -m module` would, with the "
    "runtime doctor watching its event loops, and report at exit what went wrong: loop "
    "blocked, coroutines never awaited, exceptions never retrieved, resources left open, "
    "tasks still pending. Everything after the script or module name goes to the program."
)
USAGE = (
    "asyncdoctor run [OPTIONS] script.py [ARGS...]\n"
    "       asyncdoctor run [OPTIONS] -m module [ARGS...]"
)
# The detector kinds, as the runtime names them (asyncdoctor.runtime.KINDS; a test keeps
# the two equal): listed in --help without importing the runtime, and so asyncio.
HELP_KINDS = (
    "blocking-call",
    "never-awaited",
    "unretrieved-exception",
    "unclosed-resource",
    "pending-task",
)
EPILOG = (
    f"Detector kinds (for --disable and --fail-on): {', '.join(HELP_KINDS)}. "
    "Exit code: the program's own; with --fail-on, 1 instead of 0 when such findings exist; "
    "2 for a usage error. See docs/runtime.md."
)
_FAIL_ON_CODE = 1
_USAGE_CODE = 2


class RunUsageError(Exception):
    """Bad ``asyncdoctor run`` usage; the message is one line."""


class _BadValue(ValueError):
    """An option's value that is not what it should be; the message says why."""


def _parser() -> argparse.ArgumentParser:
    """The standalone parser of ``asyncdoctor run`` (argparse is imported only now)."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise RunUsageError(f"{message} (see '{self.prog} --help')")

    parser = _Parser(
        prog="asyncdoctor run",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        allow_abbrev=False,
    )
    add_arguments(parser)
    return parser


# --- the command line ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``run``'s options to ``parser`` (the sub-command's, or the standalone one)."""
    import argparse

    def seconds(text: str) -> float:
        try:
            return _seconds(text)
        except _BadValue as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    doctor = parser.add_argument_group("doctor")
    doctor.add_argument(
        "--threshold", "--blocking-threshold", type=seconds, metavar="SECONDS",
        help="a loop step running longer than this blocks the loop (default: 0.1; '50ms' works)",
    )  # fmt: skip
    doctor.add_argument(
        "--disable", action="extend", type=_comma_list, default=[], metavar="KIND[,KIND]",
        help="switch these detectors off (kinds: see below)",
    )  # fmt: skip
    doctor.add_argument(
        "--task-stats", action="store_true",
        help="count every task by coroutine: outcomes (done, cancelled, failed) and lifetimes "
        "(about 3 us per task; see docs/metrics.md)",
    )  # fmt: skip
    doctor.add_argument(
        "--live", action="store_true",
        help="serve read-only snapshots on a socket only your user can open, for "
        "`asyncdoctor top PID` (see docs/top.md)",
    )  # fmt: skip
    output = parser.add_argument_group("report")
    output.add_argument(
        "--report", metavar="FILE.json", help="write the full report as JSON to this file"
    )
    output.add_argument(
        "--fail-on", type=_comma_list, metavar="KINDS",
        help="exit 1 instead of 0 when findings of these kinds (or 'any') exist (kinds: see below)",
    )  # fmt: skip
    output.add_argument(
        "--quiet", "-q", action="store_true", help="print no summary (the JSON report is kept)"
    )
    output.add_argument(
        "--metrics", metavar="[HOST:]PORT",
        help="serve the loops' health at http://HOST:PORT/metrics for Prometheus while the "
        "program runs (HOST: 127.0.0.1 unless given; needs asyncdoctor[prometheus])",
    )  # fmt: skip
    output.add_argument(
        "--always-report", action="store_true", help="print the summary even when it is clean"
    )
    output.add_argument(
        "--trace", metavar="FILE.json",
        help="record a timeline of what each loop did and write it at exit as a Chrome trace "
        "(open it in Perfetto or chrome://tracing; see docs/timeline.md)",
    )  # fmt: skip
    output.add_argument(
        "--timeline", metavar="FILE.html",
        help="record that timeline and write it at exit as one self-contained HTML page",
    )  # fmt: skip
    doctor.add_argument(
        "--no-follow", action="store_true",
        help="watch this process only: the Python processes the program starts (workers, "
        "subprocesses) run without the doctor",
    )  # fmt: skip
    target = parser.add_argument_group("program")
    # Both take the rest of the command line: options after the script or module name
    # belong to the program, as with `python`.
    target.add_argument(
        "-m", dest="module", nargs=argparse.REMAINDER, metavar="module",
        help="run a library module as a script, like `python -m`",
    )  # fmt: skip
    target.add_argument(
        "program", nargs=argparse.REMAINDER, metavar="script.py [ARGS...]",
        help="the script (or a directory or zip file with a __main__.py) and its arguments",
    )  # fmt: skip


def main(argv: Sequence[str]) -> int:
    """``asyncdoctor run ARGV...``: parse ``argv`` (what follows ``run``) and run the program."""
    quick = _parse_quickly(argv)
    if quick is not None:
        return run_command(quick)
    parser = _parser()
    try:
        args = parser.parse_args(list(argv))
    except RunUsageError as exc:
        return _usage_error(str(exc))
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    return run_command(args)


_FLAGS = {
    "--quiet": "quiet",
    "-q": "quiet",
    "--always-report": "always_report",
    "--no-follow": "no_follow",
    "--task-stats": "task_stats",
    "--live": "live",
}
_VALUED = {
    "--threshold": "threshold",
    "--blocking-threshold": "threshold",
    "--disable": "disable",
    "--report": "report",
    "--fail-on": "fail_on",
    "--metrics": "metrics",
    "--trace": "trace",
    "--timeline": "timeline",
}


def _parse_quickly(argv: Sequence[str]) -> types.SimpleNamespace | None:
    """The options of a well-formed command line, parsed without importing argparse.

    ``argparse`` (with ``gettext``) is most of what ``asyncdoctor run`` would cost at
    start-up, paid before the program's first line.  This handles exactly what the
    parser accepts in the common forms and gives up (``None``) on anything else: help,
    abbreviations, a bad value, an unknown option; the parser then runs and says what
    is wrong in its own words.
    """
    values: dict[str, object] = {
        "threshold": None, "disable": [], "report": None, "fail_on": None, "metrics": None,
        "trace": None, "timeline": None,
        "quiet": False, "always_report": False, "no_follow": False, "module": None, "program": [],
        "task_stats": False, "live": False,
    }  # fmt: skip
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            values["program"] = list(argv[index:])
            break
        if not arg.startswith("-") or arg == "-":
            values["program"] = list(argv[index:])
            break
        if arg == "-m" or (arg.startswith("-m") and not arg.startswith("--")):
            if arg == "-m":
                module = list(argv[index + 1 :])
            else:  # as argparse reads `-mNAME ARGS`: the arguments go to the positionals
                module, values["program"] = [arg[2:]], list(argv[index + 1 :])
            if not module or module[0].startswith("-"):
                return None
            values["module"] = module
            break
        name, has_value, inline = arg.partition("=")
        if name in _FLAGS and not has_value:
            values[_FLAGS[name]] = True
            index += 1
            continue
        if name not in _VALUED:
            return None
        if has_value:
            value, index = inline, index + 1
        elif index + 1 < len(argv) and not argv[index + 1].startswith("-"):
            value, index = argv[index + 1], index + 2
        else:
            return None
        key = _VALUED[name]
        try:
            if key == "threshold":
                values[key] = _seconds(value)
            elif key == "disable":
                values[key] = [*values["disable"], *_comma_list(value)]  # type: ignore[misc]
            elif key == "fail_on":
                values[key] = _comma_list(value)
            else:
                values[key] = value
        except _BadValue:
            return None
    if values["module"] is None and not values["program"]:
        return None  # nothing to run: the parser's path says so
    return types.SimpleNamespace(**values)


def run_command(args: argparse.Namespace | types.SimpleNamespace) -> int:
    """Run the program that the parsed ``args`` name; return the exit code to end with."""
    try:
        settings = _settings(args)
        program = _resolve(settings)
    except RunUsageError as exc:
        return _usage_error(str(exc))
    return _Runner(settings, program).run()


def _usage_error(message: str) -> int:
    print(f"asyncdoctor: {message}", file=sys.stderr)
    return _USAGE_CODE


def _comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _seconds(text: str) -> float:
    raw = text.strip().lower()
    scale = 1.0
    if raw.endswith("ms"):
        raw, scale = raw[:-2], 0.001
    elif raw.endswith("s"):
        raw = raw[:-1]
    try:
        value = float(raw) * scale
    except ValueError:
        raise _BadValue(f"'{text}' is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise _BadValue(f"must be a positive number of seconds, got '{text}'")
    return value


class _Settings:
    """The parsed command line (a plain class: ``dataclasses`` costs start-up time)."""

    __slots__ = (
        "always_report",
        "args",
        "disabled",
        "fail_on",
        "follow",
        "live",
        "metrics",
        "module",
        "quiet",
        "report_file",
        "script",
        "task_stats",
        "threshold",
        "timeline_file",
        "trace_file",
    )

    def __init__(
        self,
        *,
        module: str | None,
        script: str | None,
        args: tuple[str, ...],
        threshold: float | None,
        disabled: frozenset[str],
        report_file: str | None,
        fail_on: frozenset[str],
        quiet: bool,
        always_report: bool,
        metrics: str | None = None,
        trace_file: str | None = None,
        timeline_file: str | None = None,
        follow: bool = True,
        task_stats: bool = False,
        live: bool = False,
    ) -> None:
        self.module = module  # -m MODULE, or None for a script
        self.script = script  # the script, directory or zip file, as given
        self.args = args  # the program's arguments
        self.threshold = threshold
        self.disabled = disabled
        self.report_file = report_file  # absolute: the program may change directory
        self.fail_on = fail_on
        self.quiet = quiet
        self.always_report = always_report
        self.metrics = metrics  # [HOST:]PORT to serve /metrics on, or None
        self.trace_file = trace_file  # --trace FILE.json (absolute), or None
        self.timeline_file = timeline_file  # --timeline FILE.html (absolute), or None
        self.follow = follow  # watch the Python processes the program starts too
        self.task_stats = task_stats  # --task-stats: DoctorOptions(task_stats=True)
        self.live = live  # --live: DoctorOptions(live=True), for `asyncdoctor top`


def _settings(args: argparse.Namespace | types.SimpleNamespace) -> _Settings:
    module_argv: list[str] | None = args.module
    program: list[str] = list(args.program or [])
    module: str | None = None
    script: str | None = None
    if module_argv is not None:
        # `-mNAME` leaves the program's arguments to the positional list
        rest = [*module_argv[1:], *program]
        if not module_argv or module_argv[0].startswith("-"):
            raise RunUsageError(
                "argument -m: expected a module name (see 'asyncdoctor run --help')"
            )
        module = module_argv[0]
    else:
        if program[:1] == ["--"]:
            program = program[1:]
        if not program:
            raise RunUsageError(
                "nothing to run: give a script or -m MODULE (see 'asyncdoctor run --help')"
            )
        script, rest = program[0], program[1:]
    kinds = _known_kinds()
    disabled = frozenset(_check_kinds(args.disable, kinds, "--disable"))
    fail_on: frozenset[str] = frozenset()
    if args.fail_on is not None:
        if not args.fail_on:
            raise RunUsageError("argument --fail-on: expected kinds or 'any'")
        if [kind.lower() for kind in args.fail_on] == ["any"]:
            fail_on = frozenset(kinds) if kinds is not None else frozenset({"any"})
        else:
            fail_on = frozenset(_check_kinds(args.fail_on, kinds, "--fail-on"))
    report_file: str | None = None
    if args.report is not None:
        report_file = os.path.abspath(args.report)
        folder = os.path.dirname(report_file)
        if not os.path.isdir(folder):
            raise RunUsageError(f"argument --report: folder '{folder}' does not exist")
    return _Settings(
        module=module,
        script=script,
        args=tuple(rest),
        threshold=args.threshold,
        disabled=disabled,
        report_file=report_file,
        fail_on=fail_on,
        quiet=args.quiet,
        always_report=args.always_report,
        metrics=_metrics_address(getattr(args, "metrics", None)),
        trace_file=_output_file(getattr(args, "trace", None), "--trace"),
        timeline_file=_output_file(getattr(args, "timeline", None), "--timeline"),
        follow=not getattr(args, "no_follow", False),
        task_stats=bool(getattr(args, "task_stats", False)),
        live=bool(getattr(args, "live", False)),
    )


def _metrics_address(text: str | None) -> str | None:
    """``--metrics``, checked before the program runs (a bad address is a usage error)."""
    if text is None:
        return None
    from ..export._address import parse_address

    try:
        parse_address(text)
    except ValueError as exc:
        raise RunUsageError(f"argument --metrics: {exc}") from None
    return text.strip()


def _output_file(path: str | None, option: str) -> str | None:
    """An output file's absolute path (the program may change directory); its folder must exist."""
    if path is None:
        return None
    full = os.path.abspath(path)
    folder = os.path.dirname(full)
    if not os.path.isdir(folder):
        raise RunUsageError(f"argument {option}: folder '{folder}' does not exist")
    return full


def _known_kinds() -> tuple[str, ...] | None:
    """The detector names, or None when the engine cannot even be imported (checked later)."""
    try:
        from ..runtime import KINDS
    except Exception:  # the doctor is broken: the program must still run
        return None
    return tuple(KINDS)


def _check_kinds(names: Sequence[str], kinds: tuple[str, ...] | None, option: str) -> list[str]:
    if kinds is None:
        return list(names)
    for name in names:
        if name not in kinds:
            import difflib

            close = difflib.get_close_matches(name, kinds, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise RunUsageError(
                f"argument {option}: unknown kind '{name}' ({hint}kinds: {', '.join(kinds)})"
            )
    return list(names)


# --- the program --------------------------------------------------------------------------------


class _Program:
    """What to run and how the interpreter would set it up."""

    __slots__ = (
        "alter_argv",
        "argv",
        "code",
        "file",
        "module",
        "path0",
        "sourceless",
        "syntax_error",
    )

    def __init__(
        self,
        *,
        argv: list[str],
        path0: str,
        code: types.CodeType | None,
        file: str | None,
        module: str | None,
        alter_argv: bool = False,
        sourceless: bool = False,
        syntax_error: SyntaxError | None = None,
    ) -> None:
        self.argv = argv  # sys.argv while the program starts (runpy fixes argv[0] for -m)
        self.path0 = path0  # sys.path[0]
        self.code = code  # a script's compiled code; None for runpy
        self.file = file  # a script's __file__
        self.module = module  # what runpy runs: the -m module, or "__main__" of a dir or zip
        self.alter_argv = alter_argv  # -m: runpy puts the module's file in sys.argv[0]
        self.sourceless = sourceless  # a .pyc file
        self.syntax_error = syntax_error  # a script that does not compile


def _resolve(settings: _Settings) -> _Program:
    """Find and compile what to run, as ``python`` does before running anything."""
    if settings.module is not None:
        return _Program(
            argv=["-m", *settings.args], path0=os.getcwd(), code=None, file=None,
            module=settings.module, alter_argv=True,
        )  # fmt: skip
    script = settings.script
    assert script is not None
    # python makes the file name absolute without normalising it ("/cwd/./x/../y.py")
    full = script if os.path.isabs(script) else os.path.join(os.getcwd(), script)
    argv = [script, *settings.args]
    if _has_importer(full):  # a directory or a zip file with a __main__.py
        return _Program(argv=argv, path0=full, code=None, file=None, module="__main__")
    try:
        with open(full, "rb") as stream:
            source = stream.read()
    except OSError as exc:
        raise RunUsageError(
            f"can't open file '{script}': [Errno {exc.errno}] {exc.strerror}"
        ) from None
    path0 = os.path.dirname(os.path.realpath(full))
    # importlib's own (already imported) copy: importlib.util costs start-up time
    magic = getattr(sys.modules.get("_frozen_importlib_external"), "MAGIC_NUMBER", None)
    if magic is None:
        from importlib.util import MAGIC_NUMBER as magic
    if source[:4] == magic:  # a compiled file, which python runs too
        import marshal

        code = marshal.loads(source[16:])
        if not isinstance(code, types.CodeType):
            raise RunUsageError(f"'{script}' is not a compiled Python file")
        return _Program(argv=argv, path0=path0, code=code, file=full, module=None, sourceless=True)
    try:
        # dont_inherit: our `from __future__ import annotations` must not reach the program
        code = compile(source, full, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return _Program(argv=argv, path0=path0, code=None, file=full, module=None, syntax_error=exc)
    return _Program(argv=argv, path0=path0, code=code, file=full, module=None)


def _has_importer(path: str) -> bool:
    """Whether python would run ``path`` as a directory or zip file (an import hook takes it)."""
    for hook in sys.path_hooks:
        try:
            hook(path)
        except ImportError:
            continue
        return True
    return False


# --- running it ---------------------------------------------------------------------------------


class _Runner:
    def __init__(self, settings: _Settings, program: _Program) -> None:
        self.settings = settings
        self.program = program
        self.doctor: Doctor | None = None
        self.script_cached = True  # whether python gives a script ``__cached__`` (not 3.15)

    def run(self) -> int:
        program = self.program
        self._set_up_interpreter_state()
        if program.syntax_error is not None:  # python prints it with no traceback, exits 1
            code, interrupted = _print_uncaught(program.syntax_error, None), False
        else:
            self.doctor = _install_doctor(self.settings)
            if self.doctor is not None and self.settings.follow:
                _follow_children(self.doctor, live=self.settings.metrics is not None)
            if self.doctor is not None and self.settings.metrics is not None:
                _serve_metrics(self.doctor, self.settings.metrics, quiet=self.settings.quiet)
            pid = os.getpid()
            code, interrupted = self._execute()
            if os.getpid() != pid:  # a forked child came back through here: it reports as a
                return _finish(code, interrupted=interrupted)  # worker, at exit (see _follow)
            try:
                _wait_for_threads()
                if self.doctor is not None:
                    code = _report(self.doctor, self.settings, code, interrupted=interrupted)
                    _write_timeline(self.doctor, self.settings)
                    _uninstall(self.doctor)
            except KeyboardInterrupt:  # ^C while we wait or report: end as after any ^C
                interrupted = True
            finally:
                if self.doctor is not None and self.doctor.follower is not None:
                    self.doctor.follower.cleanup()
        return _finish(code, interrupted=interrupted)

    def _set_up_interpreter_state(self) -> None:
        program = self.program
        sys.argv = list(program.argv)
        if not sys.flags.safe_path:  # python -P / PYTHONSAFEPATH: no sys.path[0] at all
            if sys.path:
                sys.path[0] = program.path0
            else:
                sys.path.insert(0, program.path0)
        # The names this Python puts in a fresh ``__main__`` differ by version (3.14 no
        # longer seeds ``__annotations__``; 3.15 sets no ``__cached__`` for a script): copy
        # what the interpreter gave the ``__main__`` that started us, run the same way.
        launcher = getattr(sys.modules.get("__main__"), "__dict__", None) or {}
        self.script_cached = "__cached__" in launcher
        main = types.ModuleType("__main__")
        from importlib.machinery import BuiltinImporter

        main.__loader__ = BuiltinImporter
        namespace = main.__dict__
        if "__annotations__" in launcher:
            namespace["__annotations__"] = {}
        namespace["__builtins__"] = builtins
        sys.modules["__main__"] = main

    def _execute(self) -> tuple[int, bool]:
        """Run the program; its exit code, and whether a ``KeyboardInterrupt`` ended it."""
        program = self.program
        entry = program.code
        try:
            if program.code is not None:
                self._exec_script(program.code)
            else:
                import runpy  # only here: it costs start-up time (importlib.util)

                # what `python -m` itself calls (Modules/main.c); private, but there since 2.5
                run_module_as_main: Callable[..., object] = runpy._run_module_as_main  # type: ignore[attr-defined]
                entry = run_module_as_main.__code__
                run_module_as_main(program.module, alter_argv=program.alter_argv)
        except SystemExit as exc:
            return _exit_code(exc), False
        except BaseException as exc:
            return _print_uncaught(exc, entry), isinstance(exc, KeyboardInterrupt)
        return 0, False

    def _exec_script(self, code: types.CodeType) -> None:
        program = self.program
        namespace = sys.modules["__main__"].__dict__
        from importlib.machinery import SourceFileLoader, SourcelessFileLoader

        assert program.file is not None
        loader_type = SourcelessFileLoader if program.sourceless else SourceFileLoader
        namespace["__loader__"] = loader_type("__main__", program.file)
        namespace["__file__"] = program.file
        if self.script_cached:
            namespace["__cached__"] = None
        try:
            exec(code, namespace)
        finally:  # as python does once the main script is done
            namespace.pop("__file__", None)
            if self.script_cached:
                namespace.pop("__cached__", None)


def _exit_code(exc: SystemExit) -> int:
    """The exit code python derives from ``SystemExit``; a non-integer code is printed first."""
    code: object = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    stream = sys.stderr if sys.stderr is not None else sys.__stderr__
    try:
        if stream is not None:
            stream.write(str(code))
            stream.write("\n")
    except Exception:  # python ignores a failing stderr here too
        pass
    return 1


def _print_uncaught(exc: BaseException, entry: types.CodeType | None) -> int:
    """Report an exception nobody caught, as the interpreter does; return its exit code.

    The traceback starts at the program's first frame (``entry``), so that no frame of the
    runner shows; with no ``entry`` (a script that does not compile) there is none, as with
    python.
    """
    tb = None
    if entry is not None:
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code is not entry:
            tb = tb.tb_next
        if tb is None:  # the program never started: hide nothing
            tb = exc.__traceback__
    exc.__traceback__ = tb
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
    if sys.version_info >= (3, 12):
        setattr(sys, "last_exc", exc)  # noqa: B010 (not in 3.11's typeshed)
    hook = getattr(sys, "excepthook", None)
    sys.audit("sys.excepthook", hook, type(exc), exc, tb)
    if hook is None:
        _write(sys.stderr, "sys.excepthook is missing\n")
        sys.__excepthook__(type(exc), exc, tb)
        return 1
    try:
        hook(type(exc), exc, tb)
    except SystemExit as hook_exit:  # python obeys a hook that exits
        return _exit_code(hook_exit)
    except BaseException as hook_error:
        hook_tb = hook_error.__traceback__
        hook_tb = hook_tb.tb_next if hook_tb is not None else None  # our own frame
        _write(sys.stderr, "Error in sys.excepthook:\n")
        sys.__excepthook__(type(hook_error), hook_error, hook_tb)
        _write(sys.stderr, "\nOriginal exception was:\n")
        sys.__excepthook__(type(exc), exc, tb)
    return 1


def _wait_for_threads() -> None:
    """Wait for the non-daemon threads, as the interpreter's finalisation starts by doing."""
    import threading

    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None:
        return
    try:
        shutdown()
    except BaseException as exc:  # e.g. ^C while waiting; python prints it and goes on
        import traceback

        _write(sys.stderr, f"Exception ignored in: {threading!r}\n")
        _write(sys.stderr, "".join(traceback.format_exception(exc)))


def _finish(code: int, *, interrupted: bool) -> int:
    if interrupted:
        # After an unhandled KeyboardInterrupt python finalises, then kills itself with SIGINT
        # (Modules/main.c, exit_sigint).  Let the interpreter do exactly that: raise it again
        # out of the console script, with the traceback (already printed) silenced.
        sys.excepthook = _silent_excepthook
        raise KeyboardInterrupt
    return code


def _silent_excepthook(*_: object) -> None:
    pass


# --- the doctor ---------------------------------------------------------------------------------

_failed_once = False


def _doctor_failed(reason: object) -> None:
    """Say once, in one line, that the doctor failed; the program goes on regardless."""
    global _failed_once
    if _failed_once:
        return
    _failed_once = True
    if isinstance(reason, BaseException):
        reason = f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
    _write(_report_stream(), f"asyncdoctor: doctor failed: {reason}\n")


# The script that started us, while sys.argv[0] still names it (the program gets its own).
_LAUNCHER: str | None = (
    sys.argv[0]
    if sys.argv and os.path.basename(sys.argv[0]).lower().startswith("asyncdoctor")
    else None
)


def _install_doctor(settings: _Settings) -> Doctor | None:
    try:
        from ..runtime import KINDS, DoctorOptions, install
        from ..runtime._frames import add_launcher_file

        if _LAUNCHER is not None:  # the `asyncdoctor` console script: not the program
            add_launcher_file(_LAUNCHER)

        detectors = frozenset(KINDS) - settings.disabled
        timeline = settings.trace_file is not None or settings.timeline_file is not None
        if settings.threshold is not None:
            options = DoctorOptions(
                detectors=detectors, threshold=settings.threshold, timeline=timeline
            )
        else:
            options = DoctorOptions(detectors=detectors, timeline=timeline)
        if settings.task_stats:
            options = options.replace(task_stats=True)
        if settings.live:
            options = options.replace(live=True)
        doctor = install(options)
        if settings.live and doctor.live_server is not None and not settings.quiet:
            _say(f"live view: asyncdoctor top {os.getpid()}")
        if doctor.recorder is not None:  # a dump on SIGUSR2 goes next to the asked-for files
            doctor.recorder.dump_dir = os.path.dirname(settings.trace_file or settings.timeline_file or "")
        return doctor
    except Exception as exc:
        _doctor_failed(exc)
        return None


def _follow_children(doctor: Doctor, *, live: bool) -> None:
    """Have the Python processes the program starts install the doctor too (see runtime._follow)."""
    try:
        from ..runtime._follow import start_parent

        start_parent(doctor, live=live)
    except Exception as exc:
        _doctor_failed(exc)


def _serve_metrics(doctor: Doctor, address: str, *, quiet: bool = False) -> None:
    """Serve ``/metrics`` in a daemon thread; if it cannot, say so once and run the program anyway."""
    try:
        from ..export.prometheus import serve
    except ImportError:
        _say("--metrics needs prometheus-client: pip install 'asyncdoctor[prometheus]'; "
             "the program runs without it")
        return
    try:
        server, _thread = serve(address, doctor)
    except (OSError, ValueError) as exc:
        _say(f"cannot serve metrics on {address} ({exc}); the program runs without it")
        return
    if doctor.follower is not None:  # forked workers must not keep the port open
        doctor.follower.close_in_children(server.server_close)
    if not quiet:
        host, port = str(server.server_address[0]), server.server_address[1]
        _say(f"metrics at http://{host if ':' not in host else f'[{host}]'}:{port}/metrics")


def _say(line: str) -> None:
    stream = sys.stderr if sys.stderr is not None else sys.__stderr__
    if stream is not None:
        try:
            stream.write(f"asyncdoctor: {line}\n")
            stream.flush()
        except Exception:  # a closed or broken stderr: the program goes on
            pass


def _write_timeline(doctor: Doctor, settings: _Settings) -> None:
    """Write ``--trace`` and ``--timeline`` (see docs/timeline.md); say once if one cannot be."""
    if settings.trace_file is None and settings.timeline_file is None:
        return
    try:
        timeline = doctor.timeline()
        if timeline is None:
            return
        written = []
        if settings.trace_file is not None:
            from ..export.trace import write_trace

            write_trace(timeline, settings.trace_file)
            written.append(settings.trace_file)
        if settings.timeline_file is not None:
            from ..export.timeline import write_html

            write_html(timeline, settings.timeline_file)
            written.append(settings.timeline_file)
    except OSError as exc:
        _doctor_failed(f"cannot write the timeline: {exc.strerror or exc}")
        return
    except Exception as exc:
        _doctor_failed(exc)
        return
    if not settings.quiet:
        _say(f"timeline written to {' and '.join(written)}")


def _uninstall(doctor: Doctor) -> None:
    """Undo the doctor's patches once it has reported: what the interpreter does while it
    finalises (warnings of objects collected then, for one) must be as without it."""
    try:
        doctor.uninstall()
    except Exception as exc:
        _doctor_failed(exc)


def _report(doctor: Doctor, settings: _Settings, code: int, *, interrupted: bool) -> int:
    """Write the report; return the exit code, changed by ``--fail-on`` when it applies."""
    stream = _report_stream()
    try:
        from ..runtime._follow import collect_garbage

        doctor.mark()  # settle what the doctor saw of loops that have stopped, then
        collect_garbage()  # let coroutines and resources lost in reference cycles be seen now
        doctor.tasks.unretrieved_still_referenced()
        report = doctor.report()
        merged = _merge_workers(doctor, report)
        processes = None
        if merged is not None:
            report, processes = merged
    except Exception as exc:
        _doctor_failed(exc)
        return code
    if settings.report_file is not None:
        try:
            import json

            data = report.to_json()
            if processes is not None:
                data["processes"] = processes.to_json()
            text = json.dumps(data, indent=2, ensure_ascii=False)
            with open(settings.report_file, "w", encoding="utf-8") as file:
                file.write(text + "\n")
        except OSError as exc:
            _doctor_failed(f"cannot write '{settings.report_file}': {exc.strerror or exc}")
        except Exception as exc:
            _doctor_failed(exc)
    if not settings.quiet:
        try:
            summary = report.render_text(color=_use_color(stream))
            if not summary and settings.always_report:
                summary = _clean_summary(report)
            if processes is not None and (summary or processes.missing or processes.running):
                summary = f"{summary.rstrip(chr(10))}\n{processes.summary()}".lstrip("\n")
            if summary:
                _write(stream, summary if summary.endswith("\n") else summary + "\n")
        except Exception as exc:
            _doctor_failed(exc)
    failing = sorted({f.kind for f in report.findings if f.kind in settings.fail_on})
    if failing and code == 0 and not interrupted:
        if not settings.quiet:
            _write(
                stream,
                f"asyncdoctor: exit code {_FAIL_ON_CODE}: found {', '.join(failing)} (--fail-on)\n",
            )
        return _FAIL_ON_CODE
    return code


def _merge_workers(doctor: Doctor, report: RuntimeReport) -> tuple[RuntimeReport, Processes] | None:
    """The report merged with the followed workers' and who reported; ``None`` when no
    child was watched (the report is then exactly the single-process one)."""
    follower = doctor.follower
    if follower is None or follower.role != "parent" or not any(follower.worker_reports()):
        return None
    from ..runtime._merge import merge_run

    merged, processes = merge_run(report, follower)
    if not (processes.workers or processes.missing or processes.running):
        return None
    return merged, processes


def _clean_summary(report: object) -> str:
    metrics = getattr(report, "metrics", None)
    if metrics is None or not getattr(metrics, "loops_seen", 0):
        return "asyncdoctor: no problems found (no event loop ran)\n"
    return (
        f"asyncdoctor: no problems found ({metrics.loops_seen} event loop(s), "
        f"{metrics.tasks_created} tasks, at most {metrics.tasks_peak_alive} alive, "
        f"loop lag p99 {metrics.lag_p99_ms:.1f} ms, max {metrics.lag_max_ms:.1f} ms)\n"
    )


# --- terminal helpers ---------------------------------------------------------------------------


def _report_stream() -> TextIO | None:
    """The process's real stderr, even if the program replaced ``sys.stderr``."""
    for stream in (sys.__stderr__, sys.stderr):
        if stream is not None and not getattr(stream, "closed", False):
            return stream
    return None


def _write(stream: TextIO | None, text: str) -> None:
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except Exception:  # a closed or broken stderr: nothing else to say it on
        pass


def _use_color(stream: TextIO | None) -> bool:
    if stream is None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
