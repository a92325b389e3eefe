"""ADC202 coroutine-as-callback.

The per-file stage sees the arguments of a call, the project stage knows
which functions are coroutine functions (across modules, through ``self``,
inheritance and decorators).  :meth:`CoroutineCallback.check_function` finds
every callable handed to an API that calls it synchronously and writes it
down in ``FileSummary.flags`` (as ADC401 does), as ``adc202:`` followed by a
JSON list: the API, how the callable is passed (``direct``, ``lambda``,
``partial``), the callable's reference, the API method's reference and the
position of the call.  :meth:`CoroutineCallback.check_project` reads them back
and reports those whose callable is a coroutine function.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator

from .._analysis import FileSummary, FunctionContext, Report, split_lines
from .._index import ProjectIndex, ProjectReport
from .._refs import LibMethod, lib_mro, split_ref
from ._base import Rule, register
from ._util import display_name

#: The prefix of the flags the per-file stage leaves for the project stage.
_NOTE = "adc202:"

# Methods that take a callable and call it later without awaiting what it returns:
# name -> position of the callable.
_METHOD_APIS: dict[str, int] = {
    "call_soon": 0,
    "call_soon_threadsafe": 0,
    "call_later": 1,
    "call_at": 1,
    "add_signal_handler": 1,
    "add_reader": 1,
    "add_writer": 1,
    "add_done_callback": 0,
    "run_in_executor": 1,
}
# Functions and classes that do the same: name -> (position, keyword) of the callable.
_FUNCTION_APIS: dict[str, tuple[int, str]] = {
    "signal.signal": (1, "handler"),
    "atexit.register": (0, "func"),
    "threading.Thread": (1, "target"),
    "threading.Timer": (1, "function"),
    "asyncio.to_thread": (0, "func"),
    "weakref.finalize": (1, "func"),
}
_FUNCTION_TAILS = frozenset(name.rpartition(".")[2] for name in _FUNCTION_APIS)
_PARTIALS = frozenset({"functools.partial"})
# Words one of which the text of a file handing callables to those APIs contains.
_WORDS = (*_METHOD_APIS, "signal", "atexit", "Thread", "Timer", "to_thread", "finalize")
# Library types whose methods of those names call a callable synchronously.
_CALLBACK_TYPES = frozenset(
    {
        "asyncio.AbstractEventLoop",
        "asyncio.BaseEventLoop",
        "uvloop.Loop",
        "asyncio.Future",
        "asyncio.Task",
        "concurrent.futures.Future",
    }
)
# Event loops whose ``call_later``, ``add_callback``... run coroutine functions themselves.
_OTHER_LOOPS = ("tornado", "twisted", "kivy", "gi.", "PyQt", "PySide", "qasync")
# Attribute names that hold an asyncio event loop on library objects of unknown type.
_LOOP_ATTRIBUTES = frozenset({"loop", "_loop", "event_loop", "aio_loop", "asyncio_loop"})
_THREADS = frozenset({"threading.Thread", "threading.Timer", "asyncio.to_thread", "run_in_executor"})
_AT_EXIT = frozenset({"atexit.register", "weakref.finalize"})


def _head_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _callback_arg(call: ast.Call, position: int, keyword: str | None) -> ast.expr | None:
    if keyword is not None:
        for kw in call.keywords:
            if kw.arg == keyword:
                return kw.value
    if len(call.args) > position and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


class _Notes:
    """Finds the callables handed to callback APIs in one function."""

    def __init__(self, fn: FunctionContext) -> None:
        self.fn = fn

    def api(self, call: ast.Call) -> tuple[str, str, ast.expr] | None:
        """``(api name, method reference, callable expression)`` when ``call`` takes a callback."""
        func = call.func
        callee = self.fn.callee(call)
        if callee is not None:
            for name, (position, keyword) in _FUNCTION_APIS.items():
                if callee == name:
                    arg = _callback_arg(call, position, keyword)
                    return (name, "", arg) if arg is not None else None
        if isinstance(func, ast.Attribute) and func.attr in _METHOD_APIS:
            arg = _callback_arg(call, _METHOD_APIS[func.attr], None)
            if arg is None:
                return None
            return func.attr, self.fn.ref(func) or "", arg
        return None

    def target(self, arg: ast.expr) -> tuple[str, str] | None:
        """``(how, reference)`` of the function a callback argument calls."""
        how = "direct"
        if isinstance(arg, ast.Call) and arg.args and self.fn.ref(arg.func) in _PARTIALS:
            how, arg = "partial", arg.args[0]
        elif isinstance(arg, ast.Lambda):
            body = arg.body
            if not isinstance(body, ast.Call):
                return None
            params = {a.arg for a in (*arg.args.posonlyargs, *arg.args.args, *arg.args.kwonlyargs)}
            params.update(a.arg for a in (arg.args.vararg, arg.args.kwarg) if a is not None)
            if _head_name(body.func) in params:
                return None
            how, arg = "lambda", body.func
        if not isinstance(arg, ast.Name | ast.Attribute):
            return None
        ref = self.fn.ref(arg)
        return (how, ref) if ref else None


def _same_text(lines: list[str], node: ast.AST) -> bool:
    """Whether the definitions of ``node`` (a module or a function) stand where ``lines`` say."""
    defs = node.body if isinstance(node, ast.Module) else [node]
    return all(
        stmt.lineno <= len(lines) and stmt.name in lines[stmt.lineno - 1]
        for stmt in defs
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    )


def _imports_other_loop(summary: FileSummary) -> bool:
    return any(ref.startswith(_OTHER_LOOPS) for ref in summary.symbols.values())


def _receiver_ok(index: ProjectIndex, method_ref: str, summary: FileSummary) -> bool:
    """Whether the receiver of a callback method is (or may be) an asyncio loop or future."""
    if not method_ref:
        # An object of unknown type (a parameter, a local): trust the method's name,
        # unless this file works with another event loop.
        return not _imports_other_loop(summary)
    value = index.evaluate(method_ref)
    if isinstance(value, LibMethod):
        return any(t in _CALLBACK_TYPES for t in lib_mro(value.type))
    if value is not None:
        return False  # a project method of that name, or a library function
    head = split_ref(method_ref)[0]
    if index.module(head) is None and not any(
        m == head or m.startswith(head + ".") for m in index.modules
    ):
        if head in ("asyncio", "uvloop"):
            return True
        # A library object of unknown type: its ``loop`` attribute (``bot.loop`` in
        # discord.py, ``app.loop``...) is the asyncio loop it runs on, by convention.
        receiver = method_ref.rpartition(".")[0].rpartition(".")[2]
        return receiver in _LOOP_ATTRIBUTES and not _imports_other_loop(summary)
    return not _imports_other_loop(summary)


def _fix(api: str, name: str, how: str) -> str:
    short = name.rpartition(".")[2]
    if api in _THREADS:
        return (
            f"it is already async: await `{short}(...)` on the loop, or run it in the thread "
            f"with `asyncio.run({short}(...))`"
        )
    if api in _AT_EXIT:
        return (
            "the event loop is gone by then: await it before the loop stops (in a `finally:` "
            "or a shutdown hook)"
        )
    if api == "signal.signal":
        return (
            f"register a sync handler with `loop.add_signal_handler()` that schedules "
            f"`{short}()` with `asyncio.create_task()`"
        )
    if how == "lambda":
        return f"make the callback schedule it: `lambda: asyncio.create_task({short}())` (keep a reference)"
    return f"pass a sync function that schedules it with `asyncio.create_task({short}(...))`"


def _what(api: str, how: str) -> str:
    if api == "add_signal_handler" and how != "lambda":
        return "raises `TypeError` (coroutines cannot be used with add_signal_handler())"
    return "calls it without awaiting it, so the coroutine it returns never runs"


def _api_name(api: str) -> str:
    if api in _METHOD_APIS:
        return "add_done_callback" if api == "add_done_callback" else f"loop.{api}"
    return api


@register
class CoroutineCallback(Rule):
    """## What it does
    Finds coroutine functions handed to APIs that call their callable
    synchronously and drop what it returns: `loop.call_soon()`,
    `call_later()`, `call_at()`, `call_soon_threadsafe()`,
    `add_signal_handler()`, `add_reader()`/`add_writer()`,
    `future.add_done_callback()`, `signal.signal()`, `atexit.register()`,
    `weakref.finalize()`, `threading.Thread(target=...)`,
    `threading.Timer()`, `loop.run_in_executor()` and `asyncio.to_thread()`.
    The callable may be passed as it is, through `functools.partial`, or in
    a lambda that calls it (`lambda: self.reconnect()`).

    It knows the project's own `async def` functions and methods (through
    imports, `self`, inheritance, and decorators that change them) and the
    coroutine functions of asyncio and common libraries. A lambda that
    schedules the coroutine (`lambda: asyncio.create_task(self.reconnect())`)
    is correct and not reported, and neither is a callable of unknown type.

    ## Why is this bad?
    Calling a coroutine function only creates a coroutine object. These APIs
    call the callable and throw its result away, so the body of the `async
    def` never runs: the signal handler does nothing, the done callback never
    fires, the thread ends at once. Python warns `coroutine ... was never
    awaited` at some later point, if at all, and `add_signal_handler` raises
    `TypeError`.

    ## Example
    ```python
    import asyncio


    class Client:
        async def reconnect(self) -> None:
            await asyncio.sleep(1)

        def on_lost(self) -> None:
            loop = asyncio.get_running_loop()
            loop.call_later(5, self.reconnect)
    ```

    ## Use instead
    ```python
    import asyncio


    class Client:
        def __init__(self) -> None:
            self.tasks: set[asyncio.Task[None]] = set()

        async def reconnect(self) -> None:
            await asyncio.sleep(1)

        def schedule_reconnect(self) -> None:
            task = asyncio.create_task(self.reconnect())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        def on_lost(self) -> None:
            loop = asyncio.get_running_loop()
            loop.call_later(5, self.schedule_reconnect)
    ```

    ## Fix safety
    There is no automatic fix: who owns the task that runs the coroutine,
    and what happens to its errors, is the program's decision.
    """

    code = "ADC202"
    name = "coroutine-as-callback"
    category = "coroutines"
    summary = "Coroutine function passed as a callback that is never awaited"
    sync_functions = True

    def __init__(self) -> None:
        # The file last looked at, its lines (None when unknown) and whether they name an API.
        self._file: tuple[FileSummary, list[str] | None, bool] | None = None

    def _may_register(self, fn: FunctionContext) -> bool:
        """A cheap filter: whether the function's text names one of the APIs.

        Methods called on objects of unknown type (a ``loop`` parameter) are in no
        call site of the summary, and walking every sync function's AST costs a
        third of the analysis: the file's text is searched for the APIs' names
        instead.  When it cannot be read, or is not the text analysed (as with
        ``check_source``), every function is looked at.
        """
        if self._file is None or self._file[0] is not fn.summary:
            lines: list[str] | None = None
            try:
                with open(fn.summary.path, encoding="utf-8", errors="replace", newline="") as f:
                    text = f.read()
            except (OSError, ValueError):
                text = ""
            if text.count("\n") + 1 == fn.summary.lines:
                lines = split_lines(text)
            self._file = (fn.summary, lines, any(word in text for word in _WORDS))
        _, lines, named = self._file
        node = fn.node
        if lines is None or not _same_text(lines, node):
            self._file = (fn.summary, None, True)
            return True
        if not named or isinstance(node, ast.Module):
            return named
        first = getattr(node, "lineno", 1)
        last = getattr(node, "end_lineno", None) or len(lines)
        span = "\n".join(lines[first - 1:last])
        return any(word in span for word in _WORDS)

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        if not self._may_register(fn):
            return iter(())
        notes = _Notes(fn)
        symbols = fn.summary.symbols
        for node in fn.walk():
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                if func.attr not in _METHOD_APIS and func.attr not in _FUNCTION_TAILS:
                    continue
            elif not isinstance(func, ast.Name) or (
                func.id not in _FUNCTION_TAILS and symbols.get(func.id) not in _FUNCTION_APIS
            ):
                continue
            found = notes.api(node)
            if found is None:
                continue
            api, method_ref, arg = found
            target = notes.target(arg)
            if target is None:
                continue
            how, ref = target
            r = fn.report(self.code, node, "")
            flag = _NOTE + json.dumps(
                [api, how, ref, method_ref, r.line, r.col, r.end_line, r.end_col], separators=(",", ":")
            )
            if flag not in fn.summary.flags:
                fn.summary.flags.append(flag)
        return iter(())

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        for summary in index.summaries:
            if index.on_file is not None:
                index.on_file(summary)
            for flag in summary.flags:
                if not flag.startswith(_NOTE):
                    continue
                api, how, ref, method_ref, line, col, end_line, end_col = json.loads(flag[len(_NOTE):])
                value = index.evaluate(ref)
                if not index.is_coroutine(value):
                    continue
                if api in _METHOD_APIS and not _receiver_ok(index, method_ref, summary):
                    continue
                assert value is not None
                name = display_name(index, value)
                via = {"lambda": " (in a lambda)", "partial": " (through `functools.partial`)"}.get(how, "")
                message = (
                    f"`{name}` is a coroutine function, passed to `{_api_name(api)}()`{via}, "
                    f"which {_what(api, how)}; {_fix(api, name, how)}"
                )
                yield ProjectReport(summary.path, self.code, line, col, end_line, end_col, message)

