"""ADC103 loop-in-loop."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .._analysis import CallSite, FuncInfo
from .._index import Group, PClass, PFunc, ProjectIndex, ProjectReport, Value
from .._refs import LibMethod, LibName, lib_mro, split_ref
from ._base import Rule, register
from ._util import display_name, site_report

# Functions that start an event loop and run it until their argument is done.
_RUN_FUNCTIONS = {
    "asyncio.run": "asyncio.run",
    "asyncio.runners.run": "asyncio.run",
    "anyio.run": "anyio.run",
    "trio.run": "trio.run",
}
_LOOP_METHODS = frozenset({"run_until_complete", "run_forever"})
_LOOP_TYPES = frozenset({"asyncio.AbstractEventLoop", "asyncio.BaseEventLoop", "uvloop.Loop"})
_RUNNERS = frozenset({"asyncio.Runner()", "asyncio.Runner().__enter__()",
                      "asyncio.runners.Runner()", "asyncio.runners.Runner().__enter__()"})
# Calls with which a sync helper asks whether a loop is running (and so picks the
# right way to run its coroutine): such a helper is written for both worlds.
_RUNNING_LOOP_CHECKS = frozenset(
    {
        "asyncio.get_running_loop",
        "asyncio._get_running_loop",
        "asyncio.events._get_running_loop",
        "asyncio.events.get_running_loop",
        "asyncio.current_task",
        "sniffio.current_async_library",
    }
)
_NEST_ASYNCIO = "nest_asyncio.apply"
_MAX_DEPTH = 40
# How many sync helpers may stand between the async function and the call that starts a
# loop (the helper it calls included).  Deeper chains mostly pass through dispatchers that
# start a loop for some arguments only (``load(url)`` fetching ``gcs://`` URLs with
# ``asyncio.run``), which the async callers seldom pass.
_MAX_HELPERS = 2


def _runner(site: CallSite, value: Value | None) -> str | None:
    """What a call runs an event loop with (``asyncio.run``), or None."""
    if isinstance(value, LibName):
        return _RUN_FUNCTIONS.get(value.name)
    segments = split_ref(site.ref)
    if isinstance(value, LibMethod):
        if value.attr in _LOOP_METHODS and any(t in _LOOP_TYPES for t in lib_mro(value.type)):
            return f"loop.{value.attr}"
        if value.attr == "run" and value.type in ("asyncio.Runner", "asyncio.runners.Runner"):
            return "asyncio.Runner.run"
        return None
    if value is not None or len(segments) < 2:
        return None
    head = ".".join(segments[:-1])
    if segments[-1] == "run" and head in _RUNNERS:
        return "asyncio.Runner.run"
    if segments[-1] in _LOOP_METHODS and "loop" in segments[-2].rstrip("()").lower():
        # An event loop held in an attribute of unknown type: ``self._loop.run_forever()``.
        return f"loop.{segments[-1]}"
    return None


def _checks_running_loop(index: ProjectIndex, info: FuncInfo, *, is_async: bool) -> bool:
    """Whether a function asks if an event loop is running before it starts one."""
    for site in info.calls:
        tail = split_ref(site.ref)[-1]
        if tail in ("is_running", "_get_running_loop"):
            return True
        if is_async:
            continue
        value = index.evaluate(site.ref)
        if isinstance(value, LibName) and value.name in _RUNNING_LOOP_CHECKS:
            return True
    return False


class _Search:
    """Which sync project functions start an event loop, memoised for one run."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.memo: dict[str, tuple[str, ...] | None] = {}
        # Where the chain of each function that starts a loop does it: (path, line, col, ...).
        self.roots: dict[str, tuple[str, int, int, int, int]] = {}
        self.active: set[str] = set()

    def callee(self, value: Value) -> str | None:
        """The project function a call of ``value`` runs (a constructor's ``__init__``)."""
        if isinstance(value, PFunc):
            return value.qualname
        if isinstance(value, PClass):
            init = self.index._class_attr(value.qualname, "__init__")
            if isinstance(init, PFunc):
                return init.qualname
        return None

    def chain(self, qualname: str) -> tuple[str, ...] | None:
        """``("helper() at a.py:3", "asyncio.run() at b.py:9")`` when calling it starts a loop."""
        if qualname in self.memo:
            return self.memo[qualname]
        if qualname in self.active or len(self.active) > _MAX_DEPTH:
            return None  # a cycle, or absurdly deep: not along this path
        info = self.index.functions[qualname][0]
        if (
            info.is_async
            or info.is_generator
            or info.offloaded
            or info.kind == "module"
            or self.index._user_listed(PFunc(qualname), self.index.user_safe)
            or _checks_running_loop(self.index, info, is_async=False)
        ):
            self.memo[qualname] = None
            return None
        self.active.add(qualname)
        result: tuple[str, ...] | None = None
        for site in info.calls:
            value = self.index.evaluate(site.ref)
            where = f"{self.index.path_of(qualname)}:{site.line}"
            runner = _runner(site, value)
            if runner is not None:
                result = (f"{runner}() at {where}",)
                path = self.index.functions[qualname][1].path
                self.roots[qualname] = (path, site.line, site.col, site.end_line, site.end_col)
                break  # the shortest chain there is
            callee = self.callee(value) if value is not None else None
            if callee is None:
                continue
            inner = self.chain(callee)
            if inner is not None and (result is None or len(inner) + 1 < len(result)):
                assert value is not None
                result = (f"{display_name(self.index, value)}() at {where}", *inner)
                self.roots[qualname] = self.roots[callee]
        self.active.discard(qualname)
        self.memo[qualname] = result
        return result


def _uses_nest_asyncio(index: ProjectIndex) -> bool:
    """Whether the project patches asyncio with ``nest_asyncio.apply()`` (re-entrant loops)."""
    return any(
        site.ref == _NEST_ASYNCIO
        for summary in index.summaries
        for info in summary.functions.values()
        for site in info.calls
    )


_WHY = {
    "asyncio.run": "raises `RuntimeError` (it cannot be called from a running event loop)",
    "anyio.run": "raises `RuntimeError` (it cannot be called from a running event loop)",
    "asyncio.Runner.run": "raises `RuntimeError` (it cannot be called from a running event loop)",
    "loop.run_until_complete": (
        "raises `RuntimeError` (this loop is already running, and no other loop may run in "
        "its thread)"
    ),
    "loop.run_forever": (
        "raises `RuntimeError` (this loop is already running, and no other loop may run in "
        "its thread)"
    ),
    "trio.run": "blocks the event loop until the whole trio run is over",
}


@register
class LoopInLoop(Rule):
    """## What it does
    Finds event loops started from inside a running one: `asyncio.run()`,
    `loop.run_until_complete()`, `loop.run_forever()`, `asyncio.Runner().run()`
    and `anyio.run()` called in an `async def`, directly or through one or two
    synchronous helpers in any module of the project (the finding names the
    chain of calls, for example `load_config() -> asyncio.run() at app/config.py:12`).
    Longer chains are not reported: they mostly pass through dispatchers that
    start a loop only for some of their arguments.

    Functions handed to a worker thread (`asyncio.to_thread`,
    `loop.run_in_executor`, `threading.Thread(target=...)`) run outside the
    loop and are not followed; neither are helpers that first check whether a
    loop is running (`asyncio.get_running_loop()`, `loop.is_running()`).
    Projects that patch asyncio with `nest_asyncio.apply()` are left alone.

    ## Why is this bad?
    An async function always runs inside an event loop, and a thread runs one
    loop at a time: `asyncio.run()` raises `RuntimeError: asyncio.run() cannot
    be called from a running event loop`, `run_until_complete()` raises
    `RuntimeError: This event loop is already running`, and the coroutine
    passed to them is never run. The error often hides in a sync helper that
    works from scripts and the command line, and breaks only once it is
    called from async code.

    ## Example
    ```python
    import asyncio


    async def fetch_price(item: str) -> float:
        await asyncio.sleep(0.1)
        return 9.99


    async def checkout(item: str) -> float:
        price = asyncio.run(fetch_price(item))
        return price * 1.2
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch_price(item: str) -> float:
        await asyncio.sleep(0.1)
        return 9.99


    async def checkout(item: str) -> float:
        price = await fetch_price(item)
        return price * 1.2
    ```
    When a sync helper must run a coroutine, make the helper async and await
    it, or give it an async twin for async callers.

    ## Fix safety
    There is no automatic fix: the helper's sync callers may need it to stay
    sync.
    """

    code = "ADC103"
    name = "loop-in-loop"
    category = "blocking"
    summary = "Event loop started inside a running event loop"

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        if _uses_nest_asyncio(index):
            return
        search = _Search(index)
        for info, summary in index.iter_functions():
            if not info.is_async or _checks_running_loop(index, info, is_async=True):
                continue
            for site in info.calls:
                value = index.evaluate(site.ref)
                runner = _runner(site, value)
                if runner is not None:
                    message = (
                        f"`{runner}()` in an async function {_WHY[runner]}, so the coroutine "
                        f"passed to it never runs; `await` it instead"
                    )
                    yield site_report(summary, self.code, site, message)
                    continue
                callee = search.callee(value) if value is not None else None
                if callee is None:
                    continue
                chain = search.chain(callee)
                if chain is None or len(chain) > _MAX_HELPERS:
                    continue
                assert value is not None
                name = display_name(index, value)
                culprit = chain[-1].partition(" at ")
                path = " -> ".join(step.partition(" at ")[0] for step in chain)
                message = (
                    f"`{name}()` starts an event loop inside the running one: it calls {path} "
                    f"at {culprit[2]}, which {_WHY[culprit[0].removesuffix('()')]}; give async "
                    f"callers an async version of `{name.rpartition('.')[2]}` that awaits the "
                    f"coroutine"
                )
                report = site_report(summary, self.code, site, message, (f"{name}()", *chain))
                root = search.roots[callee]
                holder = chain[-2].partition(" at ")[0] if len(chain) > 1 else f"{name}()"
                group = Group(*root, (
                    f"`{culprit[0]}` {_WHY[culprit[0].removesuffix('()')]}, and {{count}} calls in "
                    f"async functions reach it through sync helpers (first: {{first}}; `--show-all-sites` "
                    f"lists each); give async callers an async version of `{holder}` that "
                    f"awaits the coroutine"
                ))
                yield replace(report, group=group)
