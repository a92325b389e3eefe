"""ADC505 loop-per-item."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .._analysis import FunctionContext, Report
from ._base import Rule, register
from ._util import in_test_code, short_source

# Functions that start a fresh event loop, run one coroutine on it and close it.
_RUNNERS = frozenset({"asyncio.run", "asyncio.runners.run", "anyio.run", "trio.run"})
_NEW_LOOPS = frozenset({"asyncio.new_event_loop", "uvloop.new_event_loop"})
# The last segment of the references of those calls.
_RUN_TAILS = frozenset({"run", "run_until_complete"})
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _literal(node: ast.expr) -> bool:
    """A fixed collection written in the source: ``("build", "test")``, ``range(3)``."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(isinstance(e, ast.Constant | ast.Name | ast.Attribute) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(isinstance(k, ast.Constant) for k in node.keys if k is not None)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        return all(isinstance(a, ast.Constant) for a in node.args)
    return isinstance(node, ast.Constant)


def _uses(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


class _Scan:
    """The loops over data in one sync function and the event loops run in them."""

    def __init__(self, fn: FunctionContext) -> None:
        self.fn = fn
        self.reports: list[Report] = []

    def runner(self, call: ast.Call, fresh_loops: set[str]) -> str | None:
        """What ``call`` runs a fresh event loop with, or None."""
        callee = self.fn.callee(call)
        if callee in _RUNNERS:
            return f"{callee}()"
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "run_until_complete":
            receiver = func.value
            if isinstance(receiver, ast.Name) and receiver.id in fresh_loops:
                return "loop.run_until_complete()"
            if isinstance(receiver, ast.Call) and self.fn.callee(receiver) in _NEW_LOOPS:
                return "loop.run_until_complete()"
        return None

    def body(self, stmts: list[ast.stmt], variables: set[str]) -> Iterator[tuple[ast.Call, str]]:
        """The event-loop runs in a loop body whose argument depends on ``variables``."""
        fresh: set[str] = set()  # names bound to an event loop created in this body
        derived = set(variables)  # the loop variables and the names computed from them
        for stmt in stmts:
            for node in _frame(stmt):
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    targets: set[str] = set()
                    for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                        targets |= _names(target)
                    value = node.value
                    if isinstance(value, ast.Call) and self.fn.callee(value) in _NEW_LOOPS:
                        fresh |= targets
                    elif _uses(value, derived):
                        derived |= targets
                    continue
                if not isinstance(node, ast.Call):
                    continue
                what = self.runner(node, fresh)
                arguments = [*node.args, *(k.value for k in node.keywords)]
                if what is not None and any(_uses(a, derived) for a in arguments):
                    yield node, what


def _frame(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and the nodes below it in the same frame, in source order."""
    yield node
    if isinstance(node, _SCOPES):
        return
    for child in ast.iter_child_nodes(node):
        yield from _frame(child)


@register
class LoopPerItem(Rule):
    """## What it does
    Finds `asyncio.run()` (or `anyio.run()`, or `run_until_complete()` on an
    event loop created in the loop) called once per item of a `for` loop or
    a comprehension in synchronous code, with a coroutine built from the
    item: `for url in urls: asyncio.run(fetch(url))`.

    A loop over a few fixed phases written in the source (`for step in
    ("migrate", "seed"):`), a retry loop, a `while` loop that restarts a
    long-running service, a single `asyncio.run()` outside any loop, and test
    code are not reported.

    ## Why is this bad?
    Each `asyncio.run()` creates an event loop, runs one coroutine to the end
    and closes the loop. Run once per item, nothing runs concurrently: the
    items are handled one after the other, as slowly as blocking code, and
    every item pays for a new loop (and its executor, and any connection pool
    created inside it, which cannot be shared across loops).

    ## Example
    ```python
    import asyncio


    async def fetch(url: str) -> str:
        await asyncio.sleep(0.1)
        return url


    def fetch_all(urls: list[str]) -> list[str]:
        return [asyncio.run(fetch(url)) for url in urls]
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch(url: str) -> str:
        await asyncio.sleep(0.1)
        return url


    async def fetch_many(urls: list[str]) -> list[str]:
        return list(await asyncio.gather(*(fetch(url) for url in urls)))


    def fetch_all(urls: list[str]) -> list[str]:
        return asyncio.run(fetch_many(urls))
    ```
    Bound the concurrency with an `asyncio.Semaphore` when there are many
    items.

    ## Fix safety
    There is no automatic fix: running the items concurrently changes the
    order of their side effects and the load on the services they call.
    """

    code = "ADC505"
    name = "loop-per-item"
    category = "concurrency"
    summary = "A new event loop run for every item of a loop"
    sync_functions = True

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        if fn.is_async or not any(
            site.in_loop and site.ref.rpartition(".")[2] in _RUN_TAILS for site in fn.info.calls
        ) or in_test_code(fn):
            return  # (a cheap filter first: most functions run no event loop in a loop)
        scan = _Scan(fn)
        seen: set[int] = set()
        for node in fn.walk():
            if isinstance(node, ast.For):
                if _literal(node.iter):
                    continue
                hits = scan.body(node.body, _names(node.target))
                where = f"for each item of `{short_source(node.iter, 'the loop', 40)}`"
            elif isinstance(node, _COMPREHENSIONS):
                gens = node.generators
                if all(_literal(g.iter) for g in gens):
                    continue
                variables = set().union(*(_names(g.target) for g in gens))
                parts: list[ast.expr] = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
                hits = scan.body([ast.Expr(p) for p in parts], variables)
                where = f"for each item of `{short_source(gens[0].iter, 'the comprehension', 40)}`"
            else:
                continue
            for call, what in hits:
                if id(call) in seen:
                    continue
                seen.add(id(call))
                message = (
                    f"`{what}` starts a new event loop {where}, so the items run one after "
                    f"the other and each pays for a new loop; run them concurrently in one "
                    f"`asyncio.run()` with `asyncio.gather()` or a `TaskGroup`"
                )
                yield fn.report(self.code, call, message)
