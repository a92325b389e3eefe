"""ADC401 resource-leak."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from .. import _knowledge as kb
from .._analysis import FileSummary, FunctionContext, Report, Usage
from .._index import PFunc, ProjectIndex, ProjectReport
from .._refs import LibMethod, LibName, canonical
from ._base import Rule, register
from ._ownership import (
    Creation,
    _use_kind,
    analyse,
    closer_text,
    ctor_display,
    handle_name,
    is_async_resource,
    returned_fresh,
    shares_pool,
    with_text,
)
from ._util import dotted_name, is_test_module, name_of

# ---------------------------------------------------------------------------
# What the per-file stage leaves for the project stage, in ``FileSummary.flags``:
#
# * ``adc401:module:<name>|<key>|<line>|<col>|<end_line>|<end_col>|<script>``: a client
#   created at import time, bound to a module-level name that this module never
#   closes nor hands on;
# * ``adc401:closes:<ref>``: this module closes (or hands on) the imported object
#   ``<ref>`` (``from .http import session`` ... ``await session.close()``);
# * ``adc401:returns:<qualname>|<key>|<line>|<col>|<end_line>|<end_col>``: the function
#   returns a resource it has just created (a factory);
# * ``adc401:depends:<ref>``: ``<ref>`` is given to FastAPI's ``Depends()``.

_NO_CALL = ast.Call(func=ast.Name(id="_", ctx=ast.Load()), args=[], keywords=[])
_PREFIX = "adc401:"
_MODULE = "adc401:module:"
_CLOSES = "adc401:closes:"
_RETURNS = "adc401:returns:"
_DEPENDS = "adc401:depends:"

#: Clients that are a leak when created at import time and never closed.
_MODULE_CLIENTS = frozenset({"aiohttp.ClientSession", "httpx.AsyncClient"})
_MODULE_CLOSERS = frozenset({"close", "aclose", "__aexit__"})
#: Calls that close, or take charge of closing, what they are given (or are called on).
_CLOSING_CALLS = frozenset(
    {*_MODULE_CLOSERS, "enter_async_context", "enter_context", "push_async_callback", "callback",
     "register", "aclosing", "closing", "append", "__aenter__", "__enter__"}
)
_DEPENDS_FUNCS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends",
                            "fastapi.params.Security", "fastapi.param_functions.Depends",
                            "fastapi.param_functions.Security"})

#: ``resp = await session.get(url)``: the methods that return an aiohttp response.
_RESPONSE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
#: What releases an aiohttp response's connection: reading the body to its end, or
#: releasing (closing) it.
_RELEASERS = frozenset({"release", "close", "read", "text", "json", "wait_for_close", "content"})


def _add_flag(fn: FunctionContext, flag: str) -> None:
    if flag not in fn.summary.flags:
        fn.summary.flags.append(flag)


def _pos(r: Report) -> str:
    return f"{r.line}|{r.col}|{r.end_line}|{r.end_col}"


def _parse_pos(parts: list[str]) -> tuple[int, int, int, int]:
    line, col, end_line, end_col = (int(p) for p in parts[:4])
    return line, col, end_line, end_col


def _resolve_dotted(fn: FunctionContext, node: ast.AST) -> str | None:
    """``session`` or ``http.session`` as the module-level object it names (imports resolved)."""
    dotted = dotted_name(node)
    if dotted is None:
        return None
    head, dot, rest = dotted.partition(".")
    base = fn.summary.symbols.get(head)
    if not base or base.endswith("()"):
        return None
    return base + dot + rest


def _module_pass(fn: FunctionContext, rule: str) -> None:
    """Module-level clients this module never closes, and what it gives to ``Depends()``.

    The whole module is walked only when there is something to look for: a
    client created at module level, or ``Depends`` imported from FastAPI.
    """
    tree = fn.node
    if not isinstance(tree, ast.Module):
        return
    candidates: list[tuple[str, str, ast.Call]] = []
    if not is_test_module(fn.module):
        for stmt in _module_statements(tree.body):
            if not (
                isinstance(stmt, ast.Assign | ast.AnnAssign)
                and isinstance(stmt.value, ast.Call)
                and len(targets := (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])) == 1
                and isinstance(targets[0], ast.Name)
            ):
                continue
            value = fn.lib(stmt.value.func)
            if isinstance(value, LibName) and value.name in _MODULE_CLIENTS:
                candidates.append((targets[0].id, value.name, stmt.value))
    depends = any(v in _DEPENDS_FUNCS or v == "fastapi" for v in fn.summary.symbols.values())
    if not candidates and not depends:
        return
    parents: dict[int, ast.AST] = {}
    uses: dict[str, list[ast.Name]] = {}
    stores: dict[str, int] = {}
    declared: set[str] = set()
    calls: list[ast.Call] = []
    names = bool(candidates)
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            stack.append(child)
        t = type(node)
        if t is ast.Name and names:
            assert isinstance(node, ast.Name)
            if isinstance(node.ctx, ast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
            else:
                uses.setdefault(node.id, []).append(node)
        elif (t is ast.Global or t is ast.Nonlocal) and names:
            assert isinstance(node, ast.Global | ast.Nonlocal)
            declared.update(node.names)
        elif t is ast.Call and depends:
            assert isinstance(node, ast.Call)
            if name_of(node.func) in ("Depends", "Security"):
                calls.append(node)

    def get_parent(n: ast.AST) -> ast.AST | None:
        return parents.get(id(n))

    for call in calls:
        _note_depends(fn, call, get_parent)
    script = _is_script(tree)
    for name, key, call in candidates:
        if name in declared or stores.get(name, 0) > 1:
            continue  # replaced (and maybe closed) by a function: ``global session``
        res = kb.RESOURCES[key]
        closers = frozenset((*res.closers, "__aexit__", "__exit__"))
        kinds = {_use_kind(use, get_parent, closers, True)[0] for use in uses.get(name, ())}
        if kinds & {"close", "with", "handoff"}:
            continue
        r = fn.report(rule, call, "")
        _add_flag(fn, f"{_MODULE}{name}|{key}|{_pos(r)}|{int(script)}")


def _note_closes(fn: FunctionContext) -> None:
    """What this function closes, enters or hands on among the names its module imports
    (``from .http import session`` ... ``await session.close()``)."""
    if not fn.is_async and not any(site.ref.rpartition(".")[2] in _CLOSING_CALLS for site in fn.info.calls):
        return  # (``async with session:`` makes no call: async functions are always looked at)
    symbols = fn.summary.symbols
    own = fn.module + "."
    frame = fn.walk()
    nodes: list[ast.AST] = list(frame)
    for node in frame:
        if type(node) is ast.Lambda:  # ``app.on_cleanup.append(lambda _: session.close())``
            assert isinstance(node, ast.Lambda)
            nodes.extend(ast.walk(node.body))  # nested lambdas included, once
    for node in nodes:
        t = type(node)
        if t is ast.Attribute:
            assert isinstance(node, ast.Attribute)
            if node.attr not in _MODULE_CLOSERS:
                continue
            holders: list[ast.AST] = [node.value]
        elif t is ast.withitem:
            assert isinstance(node, ast.withitem)
            holders = [node.context_expr]
        elif t is ast.Call:
            assert isinstance(node, ast.Call)
            if name_of(node.func) not in _CLOSING_CALLS:
                continue
            holders = [*node.args, *(kw.value for kw in node.keywords)]
        else:
            continue
        for holder in holders:
            head = holder
            while isinstance(head, ast.Attribute):
                head = head.value
            if not isinstance(head, ast.Name):
                continue
            base = symbols.get(head.id)
            if not base or base.endswith("()") or base.startswith(own):
                continue  # not imported (own names are followed by the module's own pass)
            ref = _resolve_dotted(fn, holder)
            if ref is not None:
                _add_flag(fn, f"{_CLOSES}{ref}")


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import time (not under ``if __name__ == "__main__":``)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            if _is_main_guard(stmt.test):
                continue
            yield from _module_statements(stmt.body)
            yield from _module_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            yield from _module_statements(stmt.body)
            yield from _module_statements(stmt.orelse)
        else:
            yield stmt


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


def _is_script(tree: ast.Module) -> bool:
    """A one-shot program: it runs a coroutine to its end (``asyncio.run(main())``) at
    top level or under ``if __name__ == "__main__":``, and then the process exits."""
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            nodes = [getattr(s, "value", None) for s in stmt.body]
        elif isinstance(stmt, ast.Expr):
            nodes = [stmt.value]
        else:
            continue
        for node in nodes:
            if isinstance(node, ast.Call) and name_of(node.func) in ("run", "run_until_complete"):
                owner = node.func.value if isinstance(node.func, ast.Attribute) else None
                if owner is None or name_of(owner) in ("asyncio", "anyio", "trio", "uvloop", "loop"):
                    return True
    return False


def _note_depends(fn: FunctionContext, call: ast.Call, parent: Callable[[ast.AST], ast.AST | None]) -> None:
    """``Depends(get_client)``: ``get_client`` is run for every request."""
    value = fn.lib(call.func)
    if not (isinstance(value, LibName) and value.name in _DEPENDS_FUNCS):
        return
    dep = call.args[0] if call.args else next(
        (kw.value for kw in call.keywords if kw.arg == "dependency"), None
    )
    ref = _resolve_dotted(fn, dep) if dep is not None else None
    if ref is not None and not _closed_by_user(call, parent):
        _add_flag(fn, f"{_DEPENDS}{ref}")


def _closed_by_user(call: ast.Call, parent: Callable[[ast.AST], ast.AST | None]) -> bool:
    """``async def route(client = Depends(get_client)): ... await client.aclose()``."""
    node: ast.AST = call
    p = parent(node)
    while p is not None and not isinstance(p, ast.arguments):
        if isinstance(p, ast.stmt):
            return False
        node, p = p, parent(p)
    func = parent(p) if p is not None else None
    if p is None or not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    param: str | None = None
    positional = [*p.posonlyargs, *p.args]
    for arg in (*positional, *p.kwonlyargs):
        if arg.annotation is node:
            param = arg.arg
    for arg, default in zip(positional[len(positional) - len(p.defaults):], p.defaults, strict=True):
        if default is node:
            param = arg.arg
    for arg, kw_default in zip(p.kwonlyargs, p.kw_defaults, strict=True):
        if kw_default is node:
            param = arg.arg
    if param is None:
        return False
    for n in ast.walk(func):
        if isinstance(n, ast.Attribute) and n.attr in _MODULE_CLOSERS and isinstance(n.value, ast.Name) and (
            n.value.id == param
        ):
            return True
        if isinstance(n, ast.withitem) and isinstance(n.context_expr, ast.Name) and n.context_expr.id == param:
            return True
    return False


def _cached(fn: FunctionContext) -> bool:
    """``@lru_cache``/``@cache``/``@alru_cache``: one object for every call."""
    return any("cache" in d.rpartition(".")[2].lower() for d in fn.info.decorators if d) or any(
        "cache" in (name_of(d.func if isinstance(d, ast.Call) else d) or "").lower()
        for d in getattr(fn.node, "decorator_list", ())
    )


def _may_get_response(fn: FunctionContext) -> bool:
    """Whether the function calls ``.get``/``.post``... on something: before walking it."""
    return any(
        site.usage == Usage.AWAITED and site.ref.rpartition(".")[2] in _RESPONSE_METHODS
        for site in fn.info.calls
    )


def _unreleased_responses(fn: FunctionContext) -> Iterator[tuple[ast.Call, str]]:
    """``resp = await session.get(url)`` (an aiohttp session) whose response is never released."""
    local_sessions = {c.handle for c in analyse(fn) if c.handle is not None}
    for node in fn.walk():
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Await)
                and isinstance(node.value.value, ast.Call)):
            continue
        call = node.value.value
        if not (isinstance(call.func, ast.Attribute) and call.func.attr in _RESPONSE_METHODS):
            continue
        value = fn.lib(call.func)
        if not (isinstance(value, LibMethod) and canonical(value.type) == "aiohttp.ClientSession"):
            continue
        receiver = call.func.value
        if isinstance(receiver, ast.Call) or (
            isinstance(receiver, ast.Name) and receiver.id in local_sessions
        ):
            continue  # a session created here: whether it is closed is what matters
        name = node.targets[0].id
        if not _response_leaks(fn, name):
            continue
        yield call, name


def _response_leaks(fn: FunctionContext, name: str) -> bool:
    for n in fn.walk():
        if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Store):
            p = fn.parent(n)
            if isinstance(p, ast.Attribute):
                if p.attr in _RELEASERS:
                    return False
                continue
            if isinstance(p, ast.withitem | ast.Return | ast.Yield | ast.YieldFrom | ast.Call | ast.keyword
                          | ast.Starred | ast.List | ast.Tuple | ast.Set | ast.Dict | ast.NamedExpr
                          | ast.Assign | ast.AnnAssign | ast.Await):
                return False  # managed, handed on, stored, or looked at in ways we do not follow
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and any(
            isinstance(m, ast.Name) and m.id == name for m in ast.walk(n)
        ):
            return False  # a nested function uses it
    return True


def _module_object(index: ProjectIndex, ref: str) -> tuple[str, str] | None:
    """``pkg.http.session`` -> ("pkg.http", "session"), following re-exports
    (``pkg.session`` where ``pkg/__init__.py`` imports it from ``pkg.http``)."""
    for _ in range(8):
        module, _, name = ref.rpartition(".")
        if "." in name or not module:
            return None
        summary = index.module(module)
        if summary is None:
            return None
        target = summary.symbols.get(name)
        if not target or target.endswith("()") or target == ref:
            return summary.module, name
        ref = target
    return None


@register
class ResourceLeak(Rule):
    """## What it does
    Finds clients, connections, pools, files and streams created in a
    function that are never closed: an `aiohttp.ClientSession`,
    `httpx.AsyncClient`, `asyncpg` connection or pool (or a connection taken
    from one by hand, `await pool.acquire()`, which goes back with `await
    pool.release(conn)`), `aiofiles` file,
    `aiosqlite`/`aiomysql`/`psycopg` connection, `redis.asyncio` client,
    `websockets` connection, `aiokafka` producer or consumer (stopped with
    `await producer.stop()`) or the writer of `asyncio.open_connection`,
    bound to a local name that is neither used in `async with`, nor closed,
    nor handed to anyone else. It also finds the same resources used once
    without being bound (`await aiohttp.ClientSession().get(url)`,
    `async with httpx.AsyncClient().stream(...)`): nothing can close those.

    A close counts when one of the resource's close methods is called on
    it. When it is not in a `finally:` block, an explicit `return` or
    `raise` after the creation that leaves the function without passing a
    close (or a `finally:` that closes) is reported, naming its line.
    Exceptions raised by the calls in between are not followed: that would
    flag every close outside a `finally:`.

    Nothing is reported when the resource is owned by someone else: it is
    returned or yielded (factories, `@asynccontextmanager` functions and
    fixtures), stored on `self`, an attribute, a subscript or in a
    container (`app["pool"] = pool`), handed to a constructor or to
    anything that may keep it (`Client(session=session)`,
    `stack.enter_async_context(session)`,
    `stack.push_async_callback(session.close)`, a background task started
    with `asyncio.create_task(worker(session))`), captured by a nested
    function that closes or passes it on (also as a default, `async def
    _close(client=client): await client.aclose()` handed to a
    `BackgroundTask`), or declared `global`/`nonlocal`. A client built on a
    connection pool made elsewhere (`httpx.AsyncClient(transport=
    _shared_transport)`, `ClientSession(connector=..., connector_owner=False)`)
    is left open on purpose: closing an httpx client closes its transport.
    Lending it to a helper whose result is awaited or gathered
    (`await fetch(session, url)`,
    `asyncio.gather(*[fetch(session, u) for u in urls])`) is not a hand-off:
    such helpers do not close what they are given. Synchronous clients
    (`requests.Session`, `httpx.Client`) are checked in `async def`
    functions only. A resource that is never used for I/O (only its
    attributes are read, as constructor tests do), or that is created inside
    `with pytest.raises(...)` or `with mock.patch(...)`, opens no connection
    and is not reported; neither is an `aiohttp.TCPConnector`, which the
    session it is given to closes.

    Three more shapes are followed across the project:

    * A FastAPI dependency (a function given to `Depends()` or `Security()`
      anywhere in the project) that `return`s a client, connection or file it
      has just created: FastAPI calls it for every request, and nothing
      closes what it returns. A dependency that `yield`s, one cached with
      `@lru_cache`, and one whose route closes the client are fine.
    * An `aiohttp.ClientSession` or `httpx.AsyncClient` created at import
      time and bound to a module-level name that nothing in the project
      closes: no `.close()`/`.aclose()` on it (in its module, or on the name
      imported elsewhere: a lifespan, a shutdown hook, an `atexit` handler),
      no `async with`, no hand-off to another object. A client created by a
      function under `global` (a lazy singleton) is not followed, and one in
      a one-shot script (a module that runs `asyncio.run(main())` at top
      level or under `if __name__ == "__main__":`) is reported only with
      `--preview`: it lives as long as the process, which ends with the
      script.
    * An aiohttp response obtained with `resp = await session.get(...)`
      (`.post`, `.request`...) from an `aiohttp.ClientSession` that is never
      released: no `resp.release()`/`resp.close()`, no `async with resp`,
      its body never read (`await resp.read()`/`.text()`/`.json()`, or
      `resp.content`). Returning it, or passing it to another function,
      hands it on.

    ## Why is this bad?
    An unclosed client keeps its sockets and connection pool open until the
    garbage collector happens to run, which on a busy server means running
    out of file descriptors or database connections. `aiohttp` and
    `asyncpg` log `Unclosed client session` / `unclosed connection`
    warnings, pending data may never be flushed, and connections stay
    checked out on the server side. An aiohttp response whose body is never
    read holds its connection until it is garbage-collected, and the
    connection is then closed rather than reused.

    ## Example
    ```python
    import aiohttp


    async def fetch_text(url: str) -> str:
        session = aiohttp.ClientSession()
        async with session.get(url) as response:
            return await response.text()
    ```

    ## Use instead
    ```python
    import aiohttp


    async def fetch_text(url: str) -> str:
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                return await response.text()
    ```
    Better still, create one session for the whole application and reuse it
    (see ADC402).

    ## Fix safety
    No automatic fix: where the resource should be closed depends on how
    long it is meant to live.
    """

    code = "ADC401"
    name = "resource-leak"
    category = "resources"
    summary = "Client, connection or file created and never closed"
    sync_functions = True

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        _note_closes(fn)
        if fn.info.kind == "module":
            _module_pass(fn, self.code)
            return
        if fn.is_async and _may_get_response(fn):
            for call, name in _unreleased_responses(fn):
                yield fn.report(
                    self.code, call,
                    f"the aiohttp response `{name}` is never released, so its connection stays "
                    f"checked out of the pool: use `async with {ast.unparse(call)} as {name}:`, "
                    f"read its body (`await {name}.read()`) or call `{name}.release()`",
                )
        for c in analyse(fn):
            if c.fate == "handoff" and is_async_resource(c.key) and not _cached(fn) and returned_fresh(fn, c):
                r = fn.report(self.code, c.call, "")
                _add_flag(fn, f"{_RETURNS}{fn.info.qualname}|{c.key}|{_pos(r)}")
            if c.fate not in ("leak", "inline", "exit"):
                continue
            if not fn.is_async and not is_async_resource(c.key):
                continue
            if shares_pool(c, fn):
                continue  # on a pool made elsewhere: closing the client would close the pool
            what = ctor_display(c.key, c.res)
            with_form = with_text(c)
            close_form = f"call `{closer_text(c)}` in a `finally:` block"
            fix = f"use `{with_form}` or {close_form}" if with_form else close_form
            if c.fate == "inline":
                name = handle_name(c)
                how = (
                    f"use `{with_form}` and make the calls on `{name}`"
                    if with_form
                    else f"bind it to a name and {close_form}"
                )
                message = f"{what} created here is used once and never closed: {how}"
            elif c.fate == "exit" and c.exit_node is not None:
                kind = "return" if isinstance(c.exit_node, ast.Return) else "raise"
                message = (
                    f"{what} created here is not closed when the `{kind}` at line "
                    f"{c.exit_node.lineno} is taken: {fix}"
                )
            else:
                message = f"{what} created here is never closed: {fix}"
            yield fn.report(self.code, _anchor(fn, c.call), message)

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        closes: set[str] = set()
        depends: set[str] = set()
        returns: list[tuple[FileSummary, list[str]]] = []
        modules: list[tuple[FileSummary, list[str]]] = []
        for summary in index.summaries:
            for flag in summary.flags:
                if not flag.startswith(_PREFIX):
                    continue
                if flag.startswith(_CLOSES):
                    closes.add(flag[len(_CLOSES):])
                elif flag.startswith(_DEPENDS):
                    depends.add(flag[len(_DEPENDS):])
                elif flag.startswith(_RETURNS):
                    returns.append((summary, flag[len(_RETURNS):].split("|")))
                elif flag.startswith(_MODULE):
                    modules.append((summary, flag[len(_MODULE):].split("|")))
        if depends and returns:
            dependencies = {}
            for ref in depends:
                value = index.evaluate(ref)
                if isinstance(value, PFunc):
                    dependencies[value.qualname] = ref
            for summary, (qualname, key, *pos) in returns:
                if qualname not in dependencies or key not in kb.RESOURCES:
                    continue
                res = kb.RESOURCES[key]
                shown = dependencies[qualname].rpartition(".")[2]
                handle = handle_name(Creation(_NO_CALL, key, res, "handoff"))
                message = (
                    f"{ctor_display(key, res)} created here is returned by `{shown}()`, a FastAPI "
                    f"dependency (`Depends({shown})`) run for every request, and nothing closes it: "
                    f"yield it instead and close it after the `yield` (`async with {key}(...) as "
                    f"{handle}: yield {handle}`), or share one created at start-up"
                )
                yield ProjectReport(summary.path, self.code, *_parse_pos(pos), message)
        closed = {_module_object(index, ref) for ref in closes}
        for summary, (name, key, *rest) in modules:
            if (summary.module, name) in closed:
                continue  # closed (or handed on) by another module
            res = kb.RESOURCES[key]
            closer = f"await {name}.{res.closers[0] if res.closers else 'close'}()"
            message = (
                f"{ctor_display(key, res)} created at import time (`{name}`) is never closed "
                f"anywhere in the project: `{closer}` when the application shuts down (in the "
                f"lifespan or a shutdown hook), or create it there"
            )
            yield ProjectReport(summary.path, self.code, *_parse_pos(rest), message,
                                preview=rest[4:5] == ["1"])


def _anchor(fn: FunctionContext, call: ast.Call) -> ast.AST:
    """Where to report a creation: the wrapper a statement starts with when the call is
    handed straight to one (``await asyncio.wait_for(asyncio.open_connection(...), 10)``
    split over lines: the line where the statement starts)."""
    parent = fn.parent(call)
    if (
        isinstance(parent, ast.Call)
        and parent.args
        and parent.args[0] is call
        and name_of(parent.func) in ("wait_for", "shield")
    ):
        return parent
    return call
