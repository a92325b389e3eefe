"""ADC302 unnecessary-task."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .._analysis import FunctionContext, Report
from .._refs import LibName, LibValue
from ._base import Rule, register
from ._util import spawns_task

# Awaited calls that wrap a coroutine they are given in a task of their own.
_WRAPPERS = frozenset({"asyncio.wait_for", "asyncio.shield"})


def _is_spawn(value: LibValue | None) -> bool:
    return value is not None and spawns_task(value, "")


def _awaited_name(stmt: ast.stmt) -> str | None:
    """``await t`` / ``x = await t`` / ``x += await t`` / ``return await t``: the name ``t``."""
    value: ast.expr | None = None
    if isinstance(stmt, ast.Expr | ast.Return | ast.Assign | ast.AnnAssign | ast.AugAssign):
        value = stmt.value
    if isinstance(value, ast.Await) and isinstance(value.value, ast.Name):
        return value.value.id
    return None


def _deliberate(call: ast.Call) -> bool:
    """``create_task(coro(), name=...)`` / ``context=...``: a task wanted for its own sake
    (seen by name in task dumps and monitoring, or run in a context of its own)."""
    return any(kw.arg in ("name", "context") for kw in call.keywords)


def _has_await(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Await | ast.AsyncFor | ast.AsyncWith) for sub in ast.walk(node))


@register
class UnnecessaryTask(Rule):
    """## What it does
    Finds tasks that are created only to be awaited at once:
    `await asyncio.create_task(coro())`, or `task = asyncio.create_task(coro())`
    followed by `await task` with nothing awaited in between, and
    `await asyncio.gather(coro())` with a single coroutine, and a task made
    only to be handed to `asyncio.wait_for()` or `asyncio.shield()` and awaited
    there (`await asyncio.wait_for(asyncio.create_task(coro()), 5)`): both
    wrap a coroutine in a task themselves.

    The creation and the `await` may be in any block (a branch of an `if`,
    a loop, a `try:`). The task must not be used anywhere else: a use of
    the same name counts only where it can see this task, so each branch
    of an `if` may create and await its own, and a block that ends with
    `return`, or binds the name again, hides the task from what follows.

    Not reported: a task given a `name=` or a `context=`, which is wanted
    for its own sake (found by name in task dumps and monitoring, or run in
    a context of its own, its context variables kept apart from the
    caller's).

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
        loads: dict[str, list[ast.Name]] = {}
        for node in fn.walk():
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                loads.setdefault(node.id, []).append(node)
        for node in fn.walk():
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
                call = node.value
                value = fn.lib(call.func)
                if _is_spawn(value) and call.args and isinstance(call.args[0], ast.Call) and not _deliberate(call):
                    yield fn.report(self.code, node, "a task awaited as soon as it is created does "
                                    "nothing a plain `await` would not; await the coroutine directly")
                elif (
                    isinstance(value, LibName) and value.name in _WRAPPERS and call.args
                    and isinstance(call.args[0], ast.Call) and _is_spawn(fn.lib(call.args[0].func))
                    and call.args[0].args and isinstance(call.args[0].args[0], ast.Call)
                    and not _deliberate(call.args[0])
                ):
                    short = value.name.rpartition(".")[2]
                    yield fn.report(self.code, call.args[0], f"`{short}()` runs a coroutine in a task of its own: "
                                    f"the task made for it here adds nothing; pass the coroutine to "
                                    f"`{short}()` directly")
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
                           loads: dict[str, list[ast.Name]]) -> Iterator[Report]:
        for i, stmt in enumerate(body):
            for block in _blocks(stmt):
                yield from self._create_then_await(fn, block, loads)
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)):
                continue
            name = stmt.targets[0].id
            call = stmt.value
            if not _is_spawn(fn.lib(call.func)) or _deliberate(call):
                continue
            for j in range(i + 1, len(body)):
                later = body[j]
                if _awaited_name(later) == name:
                    if _only_use(fn, body, i, j, loads.get(name, [])):
                        yield fn.report(self.code, stmt, f"task `{name}` is awaited before anything "
                                        "else runs, so it adds nothing; await the coroutine directly")
                    break
                if _has_await(later):
                    break


def _only_use(fn: FunctionContext, body: list[ast.stmt], i: int, j: int, uses: list[ast.Name]) -> bool:
    """Whether the ``await`` at ``body[j]`` is the only use of the task created at ``body[i]``.

    Other uses of the same name are fine when they cannot see this task: in
    another branch of an ``if``/``match``/``try`` (each branch creates and awaits
    its own), before the creation (outside any loop around both), after a
    statement of the same block that binds the name again, or outside the block
    when the block ends with a ``return``.
    """
    stmt = body[i]
    awaited = body[j]
    name = uses[0].id if uses else ""
    rebind = next((k for k in range(j + 1, len(body)) if _binds(body[k], name)), len(body))
    leaves = any(isinstance(body[k], ast.Return) for k in range(j, min(rebind, len(body))))
    if any(isinstance(n, ast.Name) and n.id == name for k in range(i + 1, j) for n in ast.walk(body[k])):
        return False  # looked at in between (also by a lambda or a nested function)
    stmt_path = _ancestors(fn, stmt)
    in_stmt_path = {id(p) for p, _ in stmt_path}
    for use in uses:
        if _inside(fn, use, awaited):
            if _is_awaited_load(use, awaited):
                continue
            return False
        use_path = _ancestors(fn, use)
        block_index = next((m for m, s in enumerate(body) if _inside(fn, use, s)), None)
        if block_index is not None and block_index > rebind:
            continue
        if _exclusive(stmt_path, use_path):
            continue
        if leaves and block_index is None and not _cleanup_around(use_path, in_stmt_path):
            continue
        if (use.lineno, use.col_offset) < (stmt.lineno, stmt.col_offset) and not any(
            isinstance(a, _LOOPS) and _inside(fn, use, a) for a, _ in stmt_path
        ):
            continue
        return False
    return True


def _cleanup_around(use_path: list[tuple[ast.AST, ast.AST]], around: set[int]) -> bool:
    """Whether a use sits in an ``except``/``finally:`` of a ``try:`` around the creation."""
    for parent, child in use_path:
        if isinstance(parent, ast.Try | ast.TryStar) and id(parent) in around and (
            isinstance(child, ast.ExceptHandler) or any(child is s for s in parent.finalbody)
        ):
            return True
    return False


_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _binds(stmt: ast.stmt, name: str) -> bool:
    return isinstance(stmt, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in stmt.targets
    )


def _is_awaited_load(use: ast.Name, stmt: ast.stmt) -> bool:
    value = getattr(stmt, "value", None)
    return isinstance(value, ast.Await) and value.value is use


def _ancestors(fn: FunctionContext, node: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
    """(ancestor, child on the way to ``node``), from the innermost out."""
    out: list[tuple[ast.AST, ast.AST]] = []
    child = node
    parent = fn.parent(child)
    while parent is not None:
        out.append((parent, child))
        if parent is fn.node:
            break
        child = parent
        parent = fn.parent(parent)
    return out


def _inside(fn: FunctionContext, node: ast.AST, outer: ast.AST) -> bool:
    cur: ast.AST | None = node
    while cur is not None:
        if cur is outer:
            return True
        if cur is fn.node:
            return False
        cur = fn.parent(cur)
    return False


def _exclusive(a: list[tuple[ast.AST, ast.AST]], b: list[tuple[ast.AST, ast.AST]]) -> bool:
    """Whether two nodes sit in different branches of the ``if``/``match``/``try`` around both."""
    children_b = {id(p): c for p, c in b}
    for parent, child_a in a:
        child_b = children_b.get(id(parent))
        if child_b is None:
            continue
        if child_b is child_a:
            return False
        if isinstance(parent, ast.If):
            return _field_of(parent, child_a) != _field_of(parent, child_b) and "test" not in (
                _field_of(parent, child_a), _field_of(parent, child_b)
            )
        if isinstance(parent, ast.Match):
            return isinstance(child_a, ast.match_case) and isinstance(child_b, ast.match_case)
        if isinstance(parent, ast.Try | ast.TryStar):
            return isinstance(child_a, ast.ExceptHandler) and isinstance(child_b, ast.ExceptHandler)
        return False
    return False


def _field_of(parent: ast.AST, child: ast.AST) -> str:
    for field, value in ast.iter_fields(parent):
        if value is child or (isinstance(value, list) and any(v is child for v in value)):
            return field
    return ""


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
