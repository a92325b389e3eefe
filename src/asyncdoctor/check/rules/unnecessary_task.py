"""ADC302 unnecessary-task."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .._analysis import FunctionContext, Report
from .._refs import LibName, LibValue
from ._base import Rule, register
from ._util import spawns_task


def _is_spawn(value: LibValue | None) -> bool:
    return value is not None and spawns_task(value, "")


def _awaited_name(stmt: ast.stmt) -> str | None:
    """``await t`` / ``x = await t`` / ``return await t``: the name ``t``."""
    value: ast.expr | None = None
    if isinstance(stmt, ast.Expr | ast.Return | ast.Assign | ast.AnnAssign):
        value = stmt.value
    if isinstance(value, ast.Await) and isinstance(value.value, ast.Name):
        return value.value.id
    return None


def _has_await(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Await | ast.AsyncFor | ast.AsyncWith) for sub in ast.walk(node))


@register
class UnnecessaryTask(Rule):
    """## What it does
    Finds tasks that are created only to be awaited at once:
    `await asyncio.create_task(coro())`, or `task = asyncio.create_task(coro())`
    followed by `await task` with nothing awaited in between, and
    `await asyncio.gather(coro())` with a single coroutine.

    ## Why is this bad?
    A task is worth creating when something else runs while it does. Awaited
    at once, it only adds the cost of a task (scheduling, a context copy, an
    extra loop iteration) and makes tracebacks longer; the coroutine could be
    awaited directly with the same result.

    ## Example
    ```python
    import asyncio


    async def fetch() -> int:
        await asyncio.sleep(0.1)
        return 1


    async def main() -> int:
        return await asyncio.create_task(fetch())
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch() -> int:
        await asyncio.sleep(0.1)
        return 1


    async def main() -> int:
        return await fetch()
    ```

    ## Fix safety
    Awaiting the coroutine directly is equivalent except for one detail: a
    task runs in a copy of the current `contextvars` context, so changes the
    coroutine makes to context variables become visible to the caller.
    """

    code = "ADC302"
    name = "unnecessary-task"
    category = "tasks"
    summary = "Task created only to be awaited at once"

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        loads: dict[str, int] = {}
        for node in fn.walk():
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                loads[node.id] = loads.get(node.id, 0) + 1
        for node in fn.walk():
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
                call = node.value
                value = fn.lib(call.func)
                if _is_spawn(value) and call.args and isinstance(call.args[0], ast.Call):
                    yield fn.report(self.code, node, "a task awaited as soon as it is created does "
                                    "nothing a plain `await` would not; await the coroutine directly")
                elif (
                    isinstance(value, LibName)
                    and value.name == "asyncio.gather"
                    and len(call.args) == 1
                    and not isinstance(call.args[0], ast.Starred)
                    and not call.keywords
                ):
                    yield fn.report(self.code, node, "`asyncio.gather()` of a single awaitable only "
                                    "wraps it in a task; await it directly")
        yield from self._create_then_await(fn, fn.body, loads)

    def _create_then_await(self, fn: FunctionContext, body: list[ast.stmt],
                           loads: dict[str, int]) -> Iterator[Report]:
        for i, stmt in enumerate(body):
            for block in _blocks(stmt):
                yield from self._create_then_await(fn, block, loads)
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)):
                continue
            name = stmt.targets[0].id
            call = stmt.value
            if not _is_spawn(fn.lib(call.func)) or loads.get(name, 0) != 1:
                continue
            for later in body[i + 1:]:
                if _awaited_name(later) == name:
                    yield fn.report(self.code, stmt, f"task `{name}` is awaited before anything else "
                                    "runs, so it adds nothing; await the coroutine directly")
                    break
                if _has_await(later):
                    break


def _blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return
    for field in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(stmt, "handlers", ()):
        yield handler.body
    for case in getattr(stmt, "cases", ()):
        yield case.body
