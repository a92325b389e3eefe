"""ADC201 unawaited-coroutine."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .._analysis import FunctionContext, Report, Usage
from .._index import ProjectIndex, ProjectReport
from ._base import Rule, register
from ._util import display_name, site_report

_FLAGGED = (Usage.DISCARDED, Usage.MISUSED, Usage.UNUSED_NAME)


@register
class UnawaitedCoroutine(Rule):
    """## What it does
    Finds calls to coroutine functions whose coroutine is never awaited,
    scheduled, returned or stored: the call is a statement of its own, its
    result is assigned to a name that is never used, or it is used as if it
    were the awaited result (`if is_ready():`, `fetch().json()`,
    `for row in load_rows():`).

    It knows the project's own `async def` functions and methods (through
    imports, `self`, objects of known type and inheritance, in any module)
    and the coroutine functions of asyncio and common libraries
    (`asyncio.sleep`, `asyncio.Queue.put`, `aiohttp.ClientSession.close`,
    `asyncpg` connections...). No type checker is needed. It checks sync
    functions and module-level code too: calling `main()` instead of
    `asyncio.run(main())` is caught. On an object of unknown type (an
    untyped handler parameter such as `gh` or `msg`), a method call dropped
    in an `async def` is reported when every other call of that method on
    that name in the module is awaited or handed to `create_task()`,
    `gather()` and the like.

    ## Why is this bad?
    Calling a coroutine function does not run it: it only creates a
    coroutine object. If nobody awaits it, its body never executes, and
    Python only says so with a `RuntimeWarning` when the object is garbage
    collected, far from the mistake. A coroutine used as a value is always
    truthy and has none of the attributes of the result you meant.

    ## Example
    ```python
    import asyncio


    async def save(item: str) -> None:
        await asyncio.sleep(0.1)


    async def handler(item: str) -> None:
        save(item)
        asyncio.sleep(1)
    ```

    ## Use instead
    ```python
    import asyncio


    async def save(item: str) -> None:
        await asyncio.sleep(0.1)


    async def handler(item: str) -> None:
        await save(item)
        await asyncio.sleep(1)
    ```

    ## Fix safety
    Adding `await` is the fix in an `async def`; in a sync function the
    right fix depends on the program (make the caller async, or run the
    coroutine with `asyncio.run`), so no automatic fix is offered.
    """

    code = "ADC201"
    name = "unawaited-coroutine"
    category = "coroutines"
    summary = "Coroutine created but never awaited"

    sync_functions = True  # check_function: the module's own frame (its calls of every function)

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        """A method called on an object of unknown type and dropped, where every other call
        of that method on that name in the module is awaited (``await gh.post(...)`` in one
        handler, ``gh.post(...)`` alone in another): its coroutine never runs."""
        if not isinstance(fn.node, ast.Module):
            return
        for (name, method), calls in fn.untyped_calls.items():
            awaited = [(call, where) for usage, call, _, where in calls if usage == Usage.AWAITED]
            if not awaited:
                continue
            dropped = [
                (call, where) for usage, call, is_async, where in calls if usage == Usage.DISCARDED and is_async
            ]
            if not dropped or len(awaited) + len(dropped) != len(calls):
                continue  # used in other ways too: no sure sign
            line = awaited[0][0].lineno
            for call, where in dropped:
                if any(_other_branch(where, other) for _, other in awaited):
                    # ``if c.asynchronous: await c.close() else: c.close()``: both on purpose
                    continue
                yield fn.report(
                    self.code,
                    call,
                    f"`{name}.{method}()` is awaited elsewhere in this module (line {line}): "
                    f"here its coroutine is created and dropped, so it never runs; add `await`",
                )

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        for info, summary in index.iter_functions():
            for site in info.calls:
                if site.usage not in _FLAGGED:
                    continue
                if site.usage != Usage.MISUSED and site.ref.endswith(_SCHEDULED):
                    continue  # a future: its work runs whether or not anyone awaits it
                value = index.evaluate(site.ref)
                if not index.is_coroutine(value):
                    continue
                assert value is not None
                name = display_name(index, value)
                fix = "add `await`" if info.is_async else (
                    "await it from async code, or run it with `asyncio.run()`"
                )
                if site.usage == Usage.DISCARDED:
                    message = f"coroutine `{name}()` is created but never awaited, so it never runs; {fix}"
                elif site.usage == Usage.UNUSED_NAME:
                    message = (
                        f"coroutine `{name}()` is assigned but never awaited, so it never runs; {fix}"
                    )
                else:
                    message = (
                        f"`{name}()` returns a coroutine, used here as if it were its result "
                        f"(a coroutine is always truthy and has none of the result's attributes); {fix}"
                    )
                yield site_report(summary, self.code, site, message)


def _other_branch(one: tuple[tuple[int, int], ...], other: tuple[tuple[int, int], ...]) -> bool:
    """Whether two calls are in the two branches of one ``if`` (their innermost shared one)."""
    for (if_one, side_one), (if_other, side_other) in zip(one, other, strict=False):
        if if_one != if_other:
            return False
        if side_one != side_other:
            return True
    return False


# Awaitables that are futures of work already scheduled (``loop.run_in_executor``
# submits the function at once): dropping one loses its result and its exception,
# not the work itself, so it is not "never runs".
_SCHEDULED = ".run_in_executor"
