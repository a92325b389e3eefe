"""ADC301 task-reference."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import CallSite, Usage
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
                if _never_suspends(index, info.calls, site):
                    continue  # it runs to its end in its first step, which the loop holds on to
                what = "assigned to a name that is never used" if site.usage == Usage.UNUSED_NAME else "dropped"
                message = (
                    f"the task returned by `{tail}()` is {what}: the event loop keeps only a weak "
                    f"reference, so it may be garbage-collected before it finishes and its errors are "
                    f"lost; keep a reference (e.g. in a set, removed by a done callback) or use a TaskGroup"
                )
                yield site_report(summary, self.code, site, message)


def _never_suspends(index: ProjectIndex, calls: list[CallSite], spawn: CallSite) -> bool:
    """Whether the task runs a project coroutine function that awaits nothing (``async def
    f(): log(...)``): the first call inside ``create_task(...)``'s parentheses, a plain
    function (not a method: an override may await) with no ``await``, ``async for`` or
    ``async with`` of its own."""
    start = (spawn.line, spawn.col)
    end = (spawn.end_line, spawn.end_col)
    inner = [c for c in calls if c is not spawn and start < (c.line, c.col) and (c.end_line, c.end_col) <= end]
    if not inner:
        return False
    first = min(inner, key=lambda c: (c.line, c.col))
    value = index.evaluate(first.ref)
    func = index.func(value) if isinstance(value, PFunc) else None
    return (
        func is not None
        and func.kind == "function"  # (a method may be overridden by one that awaits)
        and func.is_async
        and not func.is_generator
        and not func.suspends
    )
