"""ADC402 client-per-request."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .. import _knowledge as kb
from .._analysis import CallSite, FuncInfo, FunctionContext, Report
from .._index import PFunc, ProjectIndex, ProjectReport
from .._refs import LibMethod, LibName, lib_qualname
from ._base import Rule, register
from ._ownership import PER_LOOP, Creation, analyse, ctor_display, iter_frame
from ._util import display_name

_LOOP_STMTS = (ast.For, ast.AsyncFor, ast.While)
_COMPS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Functions that run a coroutine in a new event loop (a client cannot outlive its loop).
_LOOP_RUNNERS = frozenset({"run", "run_until_complete"})
_LOOP_RUNNER_NAMES = frozenset({"asyncio.run", "anyio.run", "trio.run", "asyncio.Runner.run", "uvloop.run"})
# How many wrappers deep a per-call client is followed.
_MAX_DEPTH = 3
# Fates of a resource that lives and dies within one run of the code around it.
_PER_RUN = frozenset({"with", "closed", "exit", "leak", "inline"})


def _flagged_kind(c: Creation) -> bool:
    return c.res.shareable or c.key in PER_LOOP


def _advice(key: str, res: kb.Resource, where: str) -> str:
    if res.kind == "connection":
        return f"connect once {where} and reuse the connection, or use a pool"
    noun = "pool" if res.kind == "pool" else ("session" if key.endswith("Session") else "client")
    return f"create one {noun} {where} and reuse it: it keeps connections alive and pools them"


def _stored_names(loop: ast.AST) -> set[str]:
    """Names that change from one iteration of ``loop`` to the next."""
    names: set[str] = set()
    roots: list[ast.AST] = []
    if isinstance(loop, ast.For | ast.AsyncFor):
        roots = [loop.target, *loop.body]
    elif isinstance(loop, ast.While):
        roots = list(loop.body)
    elif isinstance(loop, _COMPS):
        roots = [g.target for g in loop.generators]
    for root in roots:
        for node in iter_frame([root]):  # type: ignore[list-item]
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


def _loop_dependent(c: Creation) -> bool:
    """``httpx.AsyncClient(base_url=host)`` for each host: one client per target, not per request."""
    assert c.loop is not None
    args = [*c.call.args, *(kw.value for kw in c.call.keywords)]
    if not args:
        return False
    stored = _stored_names(c.loop)
    if not stored:
        return False
    for arg in args:
        for node in ast.walk(arg):
            if isinstance(node, ast.Name) and node.id in stored:
                return True
    return False


def _retry_like(c: Creation, fn: FunctionContext) -> bool:
    """Reconnect and retry loops: a fresh client per attempt is deliberate."""
    loop = c.loop
    if not isinstance(loop, _LOOP_STMTS):
        return False
    has_handler = False
    exits = False
    for node in iter_frame(loop.body):
        if isinstance(node, ast.Try | ast.TryStar) and node.handlers:
            has_handler = True
        elif isinstance(node, ast.Return | ast.Break):
            exits = True
    if isinstance(loop, ast.While):
        # Reconnect loops (the creation itself is guarded), polling until done, and
        # workers keeping the client for a loop of their own.
        return _guarded(c.call, loop, fn) or exits or c.inner_loop
    if not exits:
        return False
    # for attempt in range(3): ... return / break
    counted = (
        isinstance(loop.iter, ast.Call)
        and isinstance(loop.iter.func, ast.Name)
        and loop.iter.func.id == "range"
    )
    return has_handler or counted


def _guarded(call: ast.AST, loop: ast.AST, fn: FunctionContext) -> bool:
    """Whether ``call`` is in the body of a ``try:`` with handlers inside ``loop``."""
    node: ast.AST = call
    p = fn.parent(node)
    while p is not None and p is not loop:
        if isinstance(p, ast.Try | ast.TryStar) and p.handlers and any(s is node for s in p.body):
            return True
        node = p
        p = fn.parent(p)
    return False


def _run_in_new_loop(index: ProjectIndex, caller: FuncInfo, site: CallSite) -> bool:
    """Whether the call at ``site`` is the coroutine given to ``asyncio.run()`` & co."""
    for other in caller.calls:
        if other is site or not (other.line <= site.line <= other.end_line):
            continue
        tail = other.ref.rpartition(".")[2]
        if tail not in _LOOP_RUNNERS:
            continue
        if tail == "run_until_complete" or "Runner" in other.ref:
            return True
        value = index.evaluate(other.ref)
        name = lib_qualname(value) if isinstance(value, LibName | LibMethod) else None
        if name is not None and name in _LOOP_RUNNER_NAMES:
            return True
    return False


@register
class ClientPerRequest(Rule):
    """## What it does
    Finds shareable clients and pools (`aiohttp.ClientSession`,
    `httpx.AsyncClient`, `redis.asyncio` clients, `asyncpg`/`aiomysql`
    pools, ...) and database connections (`asyncpg.connect`,
    `aiomysql.connect`, psycopg's `AsyncConnection.connect`) created inside a
    loop or a comprehension of an `async def` function, once per iteration,
    with `async with` or bound to a name and closed (or leaked) in the same
    iteration.

    It also follows calls across functions and modules: an `async def`
    helper that creates such a client on every call (and does not return or
    store it) and is called in a loop or a comprehension elsewhere, for
    example `asyncio.gather(*[fetch(u) for u in urls])`, directly or through
    up to three wrappers (a function taking a semaphore, a retry helper), is
    reported at the client's creation inside the helper, naming the loop
    that calls it.

    Not reported: clients stored or handed on in the loop (one client per
    host, kept in a dict), clients whose arguments change with the loop
    (`httpx.AsyncClient(base_url=host)`), retry, polling and reconnect loops
    (a `while` loop whose `try:` guards the creation, or that `return`s or
    `break`s, a loop over `range()` that `return`s or `break`s, a loop that
    catches exceptions and `return`s or `break`s), `while` loops that keep
    the client for an inner loop (a websocket, a stream, a batch), helpers
    that use the client in a loop of their own (a batch per call), keep it
    for a long exchange (`while`, `async for msg in ws`) or hand it to a
    call awaited as a statement of its own (`await bot.run(session)`, maybe
    a long-running job), generators, web route handlers (called once per
    request by the framework, not in a loop), synchronous code, and coroutines run
    with `asyncio.run()` or `loop.run_until_complete()` in a loop (each run
    has its own event loop, and a client cannot outlive its loop).

    ## Why is this bad?
    A client or pool is built to be shared: it keeps connections alive and
    reuses them, caches DNS lookups and TLS sessions, and bounds the number
    of connections. Creating one per request throws all of that away: every
    request pays for a new TCP connection and TLS handshake, concurrency is
    no longer bounded by the pool, and sockets pile up in `TIME_WAIT`. A
    database connection per item costs a full connection and authentication
    round trip each time.

    ## Example
    ```python
    import asyncio

    import httpx


    async def fetch_status(url: str) -> int:
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
            return response.status_code


    async def check_all(urls: list[str]) -> list[int]:
        sem = asyncio.Semaphore(10)

        async def check(url: str) -> int:
            async with sem:
                return await fetch_status(url)

        return await asyncio.gather(*[check(url) for url in urls])
    ```

    ## Use instead
    ```python
    import asyncio

    import httpx


    async def fetch_status(client: httpx.AsyncClient, url: str) -> int:
        response = await client.get(url)
        return response.status_code


    async def check_all(urls: list[str]) -> list[int]:
        sem = asyncio.Semaphore(10)
        async with httpx.AsyncClient() as client:

            async def check(url: str) -> int:
                async with sem:
                    return await fetch_status(client, url)

            return await asyncio.gather(*[check(url) for url in urls])
    ```

    ## Fix safety
    No automatic fix: the client has to be created where it can be shared
    and passed (or stored) where it is used.
    """

    code = "ADC402"
    name = "client-per-request"
    category = "resources"
    summary = "Client or connection created for every request or loop iteration"

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        creations = analyse(fn)
        if not creations:
            return
        for c in creations:
            if c.fate not in _PER_RUN or not _flagged_kind(c):
                continue
            if c.loop is None:
                if not (fn.info.is_generator or c.used_in_loop or c.long_lived or c.borrowed):
                    r = fn.report(self.code, c.call, "")
                    fn.info.creates.append((c.key, r.line, r.col, r.end_line, r.end_col))
                continue
            if _loop_dependent(c) or _retry_like(c, fn):
                continue
            what = ctor_display(c.key, c.res)
            verb = "opened" if c.res.kind == "connection" else "created"
            line = getattr(c.loop, "lineno", 0)
            where = (
                f"for every element of the comprehension at line {line}"
                if isinstance(c.loop, _COMPS)
                else f"on every iteration of the loop at line {line}"
            )
            before = "outside the comprehension" if isinstance(c.loop, _COMPS) else "before the loop"
            yield fn.report(
                self.code, c.call, f"a new {what} is {verb} {where}: {_advice(c.key, c.res, before)}"
            )

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        # Functions that create a client on every call: directly (``creates``), or by
        # calling such a function (a wrapper taking a semaphore, a retry helper...).
        # qualname -> the qualnames from it down to the function that creates, itself first.
        per_call: dict[str, tuple[str, ...]] = {}
        for info, _summary in index.iter_functions():
            if info.creates:
                per_call[info.qualname] = (info.qualname,)
        if not per_call:
            return
        for _ in range(_MAX_DEPTH):
            names = frozenset(q.rpartition(".")[2] for q in per_call)
            added: dict[str, tuple[str, ...]] = {}
            for info, _summary in index.iter_functions():
                if info.qualname in per_call or info.kind == "module":
                    continue
                for site in info.calls:
                    callee = self._callee(index, site.ref, names, per_call)
                    if callee is not None and callee != info.qualname:
                        added[info.qualname] = (info.qualname, *per_call[callee])
                        break
            if not added:
                break
            per_call.update(added)
        names = frozenset(q.rpartition(".")[2] for q in per_call)
        # For each creating function, the shortest chain from a loop that calls it.
        best: dict[str, tuple[tuple[str, ...], str]] = {}
        for info, _summary in index.iter_functions():
            for site in info.calls:
                if not site.in_loop:
                    continue
                callee = self._callee(index, site.ref, names, per_call)
                if callee is None:
                    continue
                chain = per_call[callee]
                origin = chain[-1]
                if info.qualname in chain:
                    continue  # recursion
                if _run_in_new_loop(index, info, site):
                    continue  # each asyncio.run() has its own event loop: a client per run is needed
                old = best.get(origin)
                if old is None or len(chain) < len(old[0]):
                    best[origin] = (chain, f"{index.path_of(info.qualname)}:{site.line}")
        for chain, where in best.values():
            yield from self._report(index, chain, where)

    @staticmethod
    def _callee(index: ProjectIndex, ref: str, names: frozenset[str],
                per_call: dict[str, tuple[str, ...]]) -> str | None:
        if ref.rpartition(".")[2] not in names:
            return None
        value = index.evaluate(ref)
        if isinstance(value, PFunc) and value.qualname in per_call:
            return value.qualname
        return None

    def _report(self, index: ProjectIndex, chain: tuple[str, ...], where: str) -> Iterator[ProjectReport]:
        helper, summary = index.functions[chain[-1]]
        shown = [f"`{display_name(index, PFunc(q))}()`" for q in chain]
        if len(shown) == 1:
            how = f"every call of {shown[0]}, which is called in a loop at {where}"
        else:
            how = (
                f"every call of {shown[-1]}, called by {' <- '.join(reversed(shown[:-1]))}, "
                f"which is called in a loop at {where}"
            )
        for key, line, col, end_line, end_col in helper.creates:
            res = kb.RESOURCES.get(key)
            if res is None:
                continue
            what = ctor_display(key, res)
            verb = "opened" if res.kind == "connection" else "created"
            message = f"a new {what} is {verb} on {how}: {_advice(key, res, 'in the caller, pass it in')}"
            yield ProjectReport(summary.path, self.code, line, col, end_line, end_col, message)
