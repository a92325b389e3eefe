"""ADC504 local-limiter."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from .. import _knowledge as kb
from .._analysis import FunctionContext, Report
from .._refs import LibName, LibObject, lib_mro
from ._base import Rule, register
from ._util import in_test_code, short_source

#: Limiters and locks whose whole point is to be shared between concurrent callers.
_SEMAPHORES = kb.SEMAPHORES
_LOCKS = frozenset({"asyncio.Lock", "asyncio.Condition", "anyio.Lock", "anyio.Condition", "trio.Lock"})
#: Methods whose call on the limiter is a plain use of it, not a hand-off.
_METHODS = frozenset(
    {"acquire", "release", "locked", "wait", "notify", "notify_all", "acquire_nowait",
     "acquire_on_behalf_of", "release_on_behalf_of", "statistics"}
)


#: Calls by which a function starts concurrent work of its own (by the callee's last name).
_SPAWNS = frozenset(
    {"create_task", "ensure_future", "gather", "wait", "as_completed", "start_soon", "start",
     "TaskGroup", "create_task_group", "open_nursery", "spawn", "add_done_callback",
     "run_in_executor", "run_coroutine_threadsafe", "call_soon", "call_later", "submit"}
)


def _spawns(fn: FunctionContext) -> bool:
    """Whether the function starts tasks (or callbacks) in its own frame."""
    for node in fn.walk():
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in _SPAWNS:
                return True
    return False


def _limiter_type(fn: FunctionContext, value: ast.expr | None) -> str | None:
    if not isinstance(value, ast.Call):
        return None
    lib = fn.lib(value)
    if not isinstance(lib, LibObject):
        return None
    for t in lib_mro(lib.type):
        if t.endswith(".Condition") and (value.args or value.keywords):
            return None  # Condition(shared_lock): it takes a lock that others share
        if t in _SEMAPHORES or t in _LOCKS:
            return t
    return None


def _is_direct_use(fn: FunctionContext, name: ast.Name) -> bool:
    """``async with sem:`` / ``await sem.acquire()`` / ``sem.release()`` in the function's own frame."""
    parent = fn.parent(name)
    node: ast.AST | None = parent
    while node is not None and node is not fn.node:
        if isinstance(node, ast.comprehension | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            return False  # run per element, maybe concurrently (gather(*(... for ...)))
        node = fn.parent(node)
    if isinstance(parent, ast.withitem):
        holder = fn.parent(parent)
        return isinstance(holder, ast.AsyncWith) and parent.context_expr is name
    if isinstance(parent, ast.Attribute) and parent.value is name and parent.attr in _METHODS:
        call = fn.parent(parent)
        return isinstance(call, ast.Call) and call.func is parent
    return False


@register
class LocalLimiter(Rule):
    """## What it does
    Finds a semaphore or lock (`asyncio.Semaphore`, `BoundedSemaphore`,
    `Lock`, `Condition`, and anyio's and trio's) created inside an `async
    def` and used only there, by that one call: every use is an `async
    with` or an `acquire()`/`release()` in the function's own body, and the
    limiter is never handed to anything (a task, a nested function, a
    lambda or comprehension, another call, `self`, a container, the
    caller).

    So is one made in the `async with` statement itself (`async with
    asyncio.Lock():`), which nothing else can ever take.

    One held only over code that updates objects in memory (no `await`, no
    call but a container's methods: nothing else can run on the loop
    meanwhile, so there is nothing to serialise) is useless but harmless:
    reported only with `--preview`.

    A limiter created in a function and shared with the tasks that function
    starts (`async def one(x): async with sem: ...` then `gather(*(one(x)
    for x in xs))`) is correct and not reported; neither is one acquired
    and released by hand in a function that starts tasks (it may bound
    them), nor limiters made at module level, in `__init__` or in sync
    functions.

    ## Why is this bad?
    A limiter only limits the code that shares it. One created on each call
    is a new, free semaphore every time: two concurrent calls each get their
    own, so nothing bounds how many run at once (and a lock made per call
    serialises nothing). The code reads as if it were protected, but under
    load every request goes through.

    ## Example
    ```python
    import asyncio


    async def fetch(url: str) -> str:
        limit = asyncio.Semaphore(10)
        async with limit:
            await asyncio.sleep(0.1)
            return url
    ```

    ## Use instead
    ```python
    import asyncio

    limit = asyncio.Semaphore(10)


    async def fetch(url: str) -> str:
        async with limit:
            await asyncio.sleep(0.1)
            return url
    ```
    Or create it once in the caller (or in `__init__`) and share it with
    the calls it must bound.

    ## Fix safety
    No automatic fix: where the limiter should live (module, object, caller)
    depends on what it is meant to bound.
    """

    code = "ADC504"
    name = "local-limiter"
    category = "concurrency"
    summary = "Semaphore or lock created per call, so it bounds nothing"

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        node = fn.node
        if not isinstance(node, ast.AsyncFunctionDef) or in_test_code(fn):
            return
        created: list[tuple[str, ast.Assign | ast.AnnAssign, ast.expr, str]] = []
        for stmt in fn.walk():
            if isinstance(stmt, ast.AsyncWith):
                # ``async with asyncio.Lock():``: made and dropped on the spot, nothing shares it.
                for item in stmt.items:
                    made = item.context_expr
                    # (the class itself, called here: not a method handing out a shared one)
                    if not (isinstance(made, ast.Call) and isinstance(fn.lib(made.func), LibName)):
                        continue
                    kind = _limiter_type(fn, made)
                    if kind is not None:
                        report = fn.report(self.code, item.context_expr,
                                           _inline_message(fn, item.context_expr, kind))
                        yield replace(report, preview=True) if _in_memory_only(stmt.body) else report
                continue
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            else:
                continue
            if not isinstance(target, ast.Name):
                continue
            kind = _limiter_type(fn, value)
            if kind is not None:
                created.append((target.id, stmt, value, kind))
        if not created:
            return
        own = {id(n) for n in fn.walk()}
        declared = {
            name
            for n in fn.walk()
            if isinstance(n, ast.Global | ast.Nonlocal)
            for name in n.names
        }
        for name, stmt, value, kind in created:
            if name in declared:
                continue
            binding = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
            uses = 0
            manual = False  # acquire()/release() by hand: may bound the tasks the function starts
            ok = True
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and sub.id == name:
                    if id(sub) not in own:
                        ok = False  # captured by a nested function, lambda or class
                        break
                    if isinstance(sub.ctx, ast.Load):
                        if not _is_direct_use(fn, sub):
                            ok = False
                            break
                        uses += 1
                        manual = manual or not isinstance(fn.parent(sub), ast.withitem)
                    elif sub is not binding:
                        ok = False  # bound again (or deleted)
                        break
                elif isinstance(sub, ast.arg) and sub.arg == name:
                    ok = False
                    break
            if not ok or uses == 0:
                continue
            if manual and _spawns(fn):
                # await sem.acquire(); create_task(work()); ... sem.release() once a task is done:
                # the function bounds the tasks it starts itself.
                continue
            report = fn.report(self.code, stmt, _message(fn, name, value, kind), end=value)
            guarded = [
                w.body
                for w in fn.walk()
                if isinstance(w, ast.AsyncWith)
                and any(isinstance(i.context_expr, ast.Name) and i.context_expr.id == name for i in w.items)
            ]
            harmless = not manual and bool(guarded) and all(_in_memory_only(body) for body in guarded)
            yield replace(report, preview=True) if harmless else report


#: Calls that only touch objects in memory: a block of nothing else cannot wait or block.
_IN_MEMORY_METHODS = frozenset(
    {"append", "extend", "insert", "add", "update", "discard", "remove", "pop", "popitem",
     "clear", "setdefault", "get", "copy", "items", "keys", "values", "sort", "reverse"}
)
_IN_MEMORY_BUILTINS = frozenset({"len", "min", "max", "sorted", "list", "dict", "set", "tuple", "sum"})


def _in_memory_only(body: list[ast.stmt]) -> bool:
    """Whether a block only updates objects in memory: no ``await``, ``async for`` or
    ``async with``, and no call but a container's methods and a few builtins.  A lock or
    semaphore held over such a block protects nothing that could interleave, so one made
    per call there is useless but harmless (a blocking call in it is another matter: once
    it is made async, the block does interleave)."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Await | ast.AsyncFor | ast.AsyncWith | ast.FunctionDef
                      | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            return False
        if isinstance(node, ast.Call):
            func = node.func
            if not (
                (isinstance(func, ast.Attribute) and func.attr in _IN_MEMORY_METHODS)
                or (isinstance(func, ast.Name) and func.id in _IN_MEMORY_BUILTINS)
            ):
                return False
        todo.extend(ast.iter_child_nodes(node))
    return True


def _inline_message(fn: FunctionContext, value: ast.expr, kind: str) -> str:
    short = kind.rpartition(".")[2]
    source = short_source(value, f"{kind}()", 50)
    what = "serialises nothing" if kind in _LOCKS else "bounds nothing"
    return (
        f"`async with {source}:` makes a new `{short}` each time and nothing else can take it, so "
        f"it {what}; create it once (at module level, in `__init__`, or in the caller) and share it"
    )


def _message(fn: FunctionContext, name: str, value: ast.expr, kind: str) -> str:
    short = kind.rpartition(".")[2]
    func = fn.info.name
    what = "its own free lock, so concurrent calls are not serialised" if kind in _LOCKS else (
        "its own semaphore, so concurrent calls are not bounded at all"
    )
    source = short_source(value, f"{kind}()", 50)
    return (
        f"`{name} = {source}` makes a new `{short}` on every call of `{func}()` and only that call "
        f"uses it: each call gets {what}; create it once (at module level, in `__init__`, or in "
        f"the caller) and share it"
    )
