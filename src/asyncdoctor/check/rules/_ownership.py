"""Where the resources a function creates end up (shared by ADC401 and ADC402).

For every call of a constructor or factory listed in
``_knowledge.RESOURCES`` made in one function's own frame, :func:`analyse`
works out its *fate*:

* ``with``: managed by ``with``/``async with`` (directly, or later through
  the name it was bound to);
* ``handoff``: someone else owns it: it is returned, yielded, stored on an
  attribute, a subscript or in a container, assigned to another name, to a
  ``global``/``nonlocal``, captured by a nested function that closes or
  passes it on, handed to a constructor or to anything that may keep it
  (``Client(session=s)``, ``stack.enter_async_context(s)``,
  ``stack.push_async_callback(s.close)``, a task started with
  ``asyncio.create_task(worker(s))`` that outlives the function), dropped
  on purpose with ``del s``, or iterated for reconnection
  (``async for ws in websockets.connect()``);
* ``closed``: bound to a local name and one of its closers is called, and no
  explicit ``return``/``raise`` between the creation and the close skips it;
* ``exit``: closed, but an explicit ``return``/``raise`` after the creation
  leaves the function without passing a close (or a ``finally:`` that
  closes it);
* ``leak``: bound to a local name, used for I/O (a public method called,
  awaited, iterated, lent to a helper) and never closed;
* ``idle``: a client that connects lazily (created without ``await``),
  bound and never closed, but never used for I/O either (only attributes
  looked at, as tests of a constructor do): no connection was ever opened,
  so nothing is reported;
* ``inline``: used at once without being bound (``await ClientSession().get(url)``),
  so nothing can ever close it;
* ``unknown``: anything else (``s = s or ClientSession()``, a discarded
  ``ClientSession()``, a creation inside ``with pytest.raises(...)`` or
  ``with mock.patch(...)``, where no real connection is made).

``asyncio.wait_for(ctor(...), t)`` and ``asyncio.shield(ctor(...))`` are
followed to their awaited result.  ``aiohttp.TCPConnector`` is ignored: it
holds no socket until a session uses it, and the session closes it.

*Borrowing* is not a hand-off: passing a client, pool or connection to a
lowercase function whose result is awaited, gathered or scheduled
(``await fetch(session, url)``, ``asyncio.gather(*[fetch(session, u) for u in urls])``)
lends it for the duration of the call; such helpers do not close what they
are given.  A capital (constructor) or a name that suggests keeping
(``register``, ``add``, ``enter``, ``wrap``, ``make``...) is a hand-off.

Implicit exceptions (any ``await`` may raise) are not paths we follow: a
close that is not in a ``finally:`` still counts, unless an explicit
``return`` or ``raise`` skips it.  A close in a branch (``if own: await
s.close()``) counts too: ownership flags cannot be evaluated statically.

The analysis runs only on functions whose recorded calls include a resource
constructor (a set lookup per call), and is cached for the next rule that
asks about the same function.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .. import _knowledge as kb
from .._analysis import FunctionContext
from .._refs import LibMethod, LibName, eval_lib, lib_qualname
from ._util import name_of

__all__ = [
    "PER_LOOP",
    "Creation",
    "analyse",
    "ctor_display",
    "handle_name",
    "is_async_resource",
]

#: Resources that hold nothing until they are handed to a client, which then
#: owns and closes them (an unused ``aiohttp.TCPConnector`` has no sockets,
#: and a ``ClientSession`` closes its connector): never reported themselves.
_PASSIVE = frozenset({"aiohttp.TCPConnector"})

RESOURCES = {k: v for k, v in kb.RESOURCES.items() if k not in _PASSIVE}
_TAILS = frozenset(k.rpartition(".")[2] for k in RESOURCES)

#: Per-connection resources that ADC402 flags in loops besides the shareable
#: clients and pools: "connect once or use a pool".
PER_LOOP = frozenset({"asyncpg.connect", "aiomysql.connect", "psycopg.AsyncConnection.connect",
                      # a message broker's connections are meant to live long (channels are cheap)
                      "aio_pika.connect", "aio_pika.connect_robust", "nats.connect"})

#: Objects whose attributes live for one request (``g.db = await asyncpg.connect(...)``).
_REQUEST_GLOBALS = frozenset({"quart.g", "flask.g", "quart.globals.g", "flask.globals.g"})

#: Synchronous clients: closed without ``await``, managed with plain ``with``.
_SYNC = frozenset({"requests.Session", "requests.session", "httpx.Client"})

#: Resources that do not support ``async with`` themselves.
_NO_CONTEXT_MANAGER = frozenset(
    {
        "asyncpg.connect",
        "asyncio.open_connection",
        "asyncio.open_unix_connection",
        "psycopg.AsyncConnection.connect",  # ``async with await ...``
        "aio_pika.connect",  # (a coroutine: ``connection = await ...`` then ``async with connection:``)
        "aio_pika.connect_robust",
        "nats.connect",
    }
)

# Kinds whose objects may be lent to helpers without the helper closing them.
_BORROWABLE_KINDS = frozenset({"client", "pool", "connection"})

_TRY_TYPES = (ast.Try, ast.TryStar)
_LOOP_STMTS = (ast.For, ast.AsyncFor, ast.While)
_COMPS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_LOOP_OR_COMP = _LOOP_STMTS + _COMPS
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_BLOCK_FIELDS = frozenset({"body", "orelse", "handlers", "finalbody", "cases"})

# Calls that only look at an object.
_NON_OWNING = frozenset(
    {
        "print", "len", "repr", "str", "id", "type", "isinstance", "issubclass", "hasattr",
        "getattr", "bool", "hash", "vars", "dir", "format",
        "debug", "info", "warning", "warn", "error", "exception", "critical", "log",
    }
)
# Words in a callee's name that suggest it keeps what it is given.
_OWNING_WORDS = frozenset(
    {
        "register", "add", "append", "extend", "insert", "put", "push", "set", "setdefault",
        "setup", "store", "save", "keep", "track", "attach", "enter", "own", "owner", "manage",
        "close", "closing", "aclosing", "callback", "wrap", "adopt", "cache", "bind", "finalize",
        "partial", "init", "create", "make", "build", "new", "start", "spawn", "submit",
        "schedule", "connect", "open", "factory", "from", "with", "use", "hold", "retain",
        "install", "mount", "inject", "provide", "exit", "context", "contextmanager",
        "aclose", "cleanup", "clean", "teardown", "shutdown", "dispose", "release", "destroy",
        "finish", "stop", "terminate", "disconnect", "free",
    }
)
# Calls that run what they are given (coroutines, tasks) while the caller waits or owns them.
_RUNNERS = frozenset(
    {
        "gather", "create_task", "ensure_future", "wait_for", "shield", "wait", "as_completed",
        "start_soon", "run_until_complete", "run_coroutine_threadsafe", "append", "add",
        "timeout", "run",
    }
)
_RAISES = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp", "RaisesGroup"})
# Calls whose awaited result is the awaited result of their first argument.
_PASS_THROUGH = frozenset({"wait_for", "shield"})
_SPAWNERS = frozenset({"create_task", "ensure_future", "run_coroutine_threadsafe"})
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


@dataclass(slots=True)
class Creation:
    """One resource created in a function, and what becomes of it."""

    call: ast.Call
    key: str  # the RESOURCES key, e.g. "aiohttp.ClientSession"
    res: kb.Resource
    fate: str  # with | handoff | closed | exit | leak | idle | inline | request | unknown
    handle: str | None = None  # the local name it is bound to (or ``as`` name)
    exit_node: ast.stmt | None = None  # the return/raise that skips the close
    loop: ast.AST | None = None  # innermost loop (or comprehension) of the frame around it
    borrowed: bool = False  # the handle is lent to a call awaited as a statement (a job?)
    used_in_loop: bool = False  # the handle is used in a loop that does not contain the creation
    inner_loop: bool = False  # ... or, for ``async with``, its body holds a loop
    long_lived: bool = False  # the handle is kept for a ``while`` loop or ``async for msg in ws``


# Arguments that hand a client the connection pool it uses.
_POOL_ARGUMENTS = frozenset({"transport", "connector", "connection_pool"})


def shares_pool(c: Creation, fn: FunctionContext) -> bool:
    """Whether the client is built on a connection pool made elsewhere and kept
    (``httpx.AsyncClient(transport=_shared_transport)``, ``ClientSession(connector=
    self._connector, connector_owner=False)``): a client per call then costs no
    connection, and closing it would close the shared pool (httpx)."""
    for kw in c.call.keywords:
        if kw.arg == "connector_owner" and isinstance(kw.value, ast.Constant) and kw.value.value is False:
            return True
        if kw.arg in _POOL_ARGUMENTS:
            value = kw.value
            if isinstance(value, ast.Attribute):
                return True
            if isinstance(value, ast.Name) and value.id not in fn.scope.bound:
                return True  # a module's (or a parameter's) pool, not one made here
    return False


def returned_fresh(fn: FunctionContext, c: Creation) -> bool:
    """Whether the function returns the resource it has just created (and only that):
    ``return Client()``, or ``c = Client(); ...; return c`` with ``c`` neither closed nor
    handed to anyone else."""
    node: ast.AST = c.call
    p = fn.parent(node)
    if isinstance(p, ast.Await):
        node, p = p, fn.parent(p)
    if isinstance(p, ast.Return):
        return True
    if c.handle is None or not isinstance(p, ast.Assign | ast.AnnAssign):
        return False
    closers = frozenset((*c.res.closers, "__aexit__", "__exit__"))
    returned = False
    for n in fn.walk():
        if isinstance(n, ast.Name) and n.id == c.handle and not isinstance(n.ctx, ast.Store):
            kind, _ = _use_kind(n, fn.parent, closers, True)
            if kind == "handoff":
                if not (isinstance(fn.parent(n), ast.Return)):
                    return False
                returned = True
            elif kind in ("with", "close"):
                return False
    return returned


def _attempts(loop: ast.AST) -> bool:
    """``for attempt in range(3):`` that returns or breaks once it succeeds: a retry."""
    if not (isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call)
            and isinstance(loop.iter.func, ast.Name) and loop.iter.func.id == "range"):
        return False
    bounds = loop.iter.args
    if not bounds or not all(isinstance(b, ast.Constant) and isinstance(b.value, int) for b in bounds):
        return False
    last = bounds[0] if len(bounds) == 1 else bounds[1]
    count = last.value if isinstance(last, ast.Constant) and isinstance(last.value, int) else 11
    return count <= 10 and any(
        isinstance(n, ast.Return | ast.Break) for n in iter_frame(loop.body)
    )


def is_async_resource(key: str) -> bool:
    return key not in _SYNC


def handle_name(c: Creation) -> str:
    """A name for the resource in suggested code."""
    if c.handle is not None:
        return c.handle
    key = c.key
    if key.endswith("Session") or key == "requests.session":
        return "session"
    if c.res.kind == "pool":
        return "pool"
    if c.res.kind == "stream":
        return "writer"
    if c.res.kind == "file":
        return "f"
    if key.startswith("websockets."):
        return "ws"
    if c.res.kind == "connection":
        return "conn"
    return "client"


def ctor_display(key: str, res: kb.Resource) -> str:
    """How to name what was created: ``aiohttp.ClientSession`` or ``asyncpg pool (asyncpg.create_pool())``."""
    last = key.rpartition(".")[2]
    if last[:1].isupper():
        return f"`{key}`"
    return f"{res.label} (`{key}()`)"


def closer_text(c: Creation) -> str:
    """``await session.close()``, ``writer.close()``..."""
    name = handle_name(c)
    if c.key.endswith(".Pool.acquire") and isinstance(c.call.func, ast.Attribute):
        return f"await {ast.unparse(c.call.func.value)}.release({name})"  # back to its pool
    closer = c.res.closers[0] if c.res.closers else "close"
    rtype = kb.RETURN_TYPES.get(c.key, c.key)
    awaited = f"{rtype}.{closer}" in kb.COROUTINE_FUNCTIONS
    text = f"{'await ' if awaited else ''}{name}.{closer}()"
    if c.res.kind == "stream":
        text += f"; await {name}.wait_closed()"
    return text


def with_text(c: Creation) -> str | None:
    """``async with aiohttp.ClientSession() as session:`` when the resource supports it."""
    if c.key in _NO_CONTEXT_MANAGER:
        return None
    kw = "with" if c.key in _SYNC else "async with"
    try:
        shown = ast.unparse(c.call.func)
    except (ValueError, RecursionError):  # pragma: no cover - unparse of a valid tree
        shown = c.key
    return f"{kw} {shown}(...) as {handle_name(c)}:"


# ---------------------------------------------------------------------------
# Entry point

_cache: tuple[FunctionContext, list[Creation]] | None = None


def analyse(fn: FunctionContext) -> list[Creation]:
    """Every resource created in ``fn``'s own frame, with its fate (cached for the last function)."""
    global _cache
    if _cache is not None and _cache[0] is fn:
        return _cache[1]
    result: list[Creation] = []
    if fn.info.kind != "module" and _has_candidate(fn):
        try:
            result = _Analysis(fn).run()
        except RecursionError:
            result = []
    _cache = (fn, result)
    return result


def _has_candidate(fn: FunctionContext) -> bool:
    for site in fn.info.calls:
        ref = site.ref
        if ref.rpartition(".")[2] in _TAILS:
            value = eval_lib(ref)
            if isinstance(value, LibName | LibMethod) and lib_qualname(value) in RESOURCES:
                return True
    return False



def _is_patch(func: ast.expr) -> bool:
    """``patch(...)``, ``mock.patch(...)``, ``patch.object(...)``, ``mock.patch.dict(...)``."""
    if name_of(func) == "patch":
        return True
    return isinstance(func, ast.Attribute) and name_of(func.value) == "patch"


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(name)]


Path = list[tuple[ast.AST, str, int]]


class _Analysis:
    def __init__(self, fn: FunctionContext) -> None:
        self.fn = fn
        self.parent = fn.parent
        self._loads: dict[str, list[ast.Name]] | None = None
        self._nested: list[ast.AST] = []
        self._exits: list[ast.stmt] = []

    # -- collection -------------------------------------------------------

    def run(self) -> list[Creation]:
        fn = self.fn
        found: list[tuple[ast.Call, str, kb.Resource]] = []
        for node in fn.walk():
            if isinstance(node, ast.Call):
                name = name_of(node.func)
                if name is None or name not in _TAILS:
                    continue
                value = fn.lib(node.func)
                key = lib_qualname(value) if isinstance(value, LibName | LibMethod) else None
                res = RESOURCES.get(key) if key is not None else None
                if key is not None and res is not None:
                    found.append((node, key, res))
        if not found:
            return []
        return [self.creation(call, key, res) for call, key, res in found]

    def loads(self) -> dict[str, list[ast.Name]]:
        if self._loads is None:
            loads: dict[str, list[ast.Name]] = {}
            for node in self.fn.walk():
                if isinstance(node, ast.Name):
                    if isinstance(node.ctx, ast.Load | ast.Del):
                        loads.setdefault(node.id, []).append(node)
                elif isinstance(node, _NESTED):
                    self._nested.append(node)
                elif isinstance(node, ast.Return | ast.Raise):
                    self._exits.append(node)
            self._loads = loads
        return self._loads

    # -- one creation -----------------------------------------------------

    def creation(self, call: ast.Call, key: str, res: kb.Resource) -> Creation:
        c = Creation(call, key, res, "unknown")
        c.loop = self.enclosing_loop(call)
        if self.expected_to_fail(call):
            return c
        node: ast.AST = call
        p = self.parent(node)
        if (
            isinstance(p, ast.Call)
            and p.args
            and p.args[0] is node
            and name_of(p.func) in _PASS_THROUGH
        ):
            node = p  # asyncio.wait_for(asyncpg.connect(dsn), 10): the result is the connection
            p = self.parent(p)
        if isinstance(p, ast.Await) and p.value is node:
            node = p
            p = self.parent(p)
        if isinstance(p, ast.withitem):
            if p.context_expr is node:
                c.fate = "with"
                if isinstance(p.optional_vars, ast.Name):
                    c.handle = p.optional_vars.id
                    kinds = self.use_kinds(c.handle, res)
                    c.borrowed = "delegate" in kinds
                    with_stmt = self.parent(p)
                    body: list[ast.stmt] = getattr(with_stmt, "body", [])
                    if with_stmt is not None:
                        c.used_in_loop = "captured" in kinds or any(
                            self.in_loop_without(use, with_stmt) for use in self.loads().get(c.handle, ())
                        )
                    c.inner_loop = c.used_in_loop or _has_loop(body)
                    c.long_lived = _long_lived(body)
            return c
        if isinstance(p, ast.Assign | ast.AnnAssign) and p.value is node:
            targets = p.targets if isinstance(p, ast.Assign) else [p.target]
            if len(targets) != 1:
                return c
            target = targets[0]
            if res.result_index is not None:
                if (
                    isinstance(target, ast.Tuple | ast.List)
                    and len(target.elts) > res.result_index
                    and not any(isinstance(e, ast.Starred) for e in target.elts)
                ):
                    target = target.elts[res.result_index]
                else:
                    return c
            if isinstance(target, ast.Name):
                c.handle = target.id
                self.follow_name(c, p)
            elif isinstance(target, ast.Attribute | ast.Subscript):
                c.fate = "request" if self.per_request_store(target) else "handoff"
            return c
        if isinstance(p, ast.Attribute) and p.value is node and res.result_index is None:
            pp = self.parent(p)
            if p.attr in res.closers and isinstance(pp, ast.Call) and pp.func is p:
                c.fate = "closed"
            else:
                c.fate = "inline"
            return c
        if isinstance(p, ast.Return | ast.Yield | ast.YieldFrom | ast.Call | ast.keyword | ast.Starred
                      | ast.List | ast.Tuple | ast.Set | ast.Dict | ast.NamedExpr | ast.Lambda):
            c.fate = "handoff"
            return c
        return c  # unknown: conditional expressions, iteration, subscripts...

    def per_request_store(self, target: ast.Attribute | ast.Subscript) -> bool:
        """Whether ``target`` lives as long as one request: an attribute of Quart's or
        Flask's ``g``, of ``request.state`` (Starlette) or ``request.ctx`` (Sanic)."""
        if not isinstance(target, ast.Attribute):
            return False
        base = target.value
        if isinstance(base, ast.Name):
            return self.fn.ref(base) in _REQUEST_GLOBALS
        return (isinstance(base, ast.Attribute) and base.attr in ("state", "ctx")
                and isinstance(base.value, ast.Name) and base.value.id in ("request", "req"))

    def follow_name(self, c: Creation, stmt: ast.stmt) -> None:
        assert c.handle is not None
        name = c.handle
        if name in self.fn.scope.nonlocal_names:
            c.fate = "handoff"
            return
        kinds = self.use_kinds(name, c.res)
        if "with" in kinds:
            c.fate = "with"
        elif "handoff" in kinds:
            c.fate = "handoff"
        elif not c.res.awaited and not kinds.keys() & {"call", "borrow", "delegate", "close"}:
            # A client that connects lazily, never used for I/O: only looked at (tests).
            # (A connection, pool, file or stream is open as soon as it is awaited.)
            c.fate = "idle"
        elif kinds.get("close"):
            c.fate = "closed"
            exit_node = self.leaky_exit(stmt, name, kinds["close"])
            if exit_node is not None:
                c.fate = "exit"
                c.exit_node = exit_node
        else:
            c.fate = "leak"
        c.borrowed = "delegate" in kinds
        uses = self.loads().get(name, ())
        c.used_in_loop = "captured" in kinds or any(self.in_loop_without(use, stmt) for use in uses)
        c.inner_loop = c.used_in_loop
        c.long_lived = any(self.in_loop_without(use, stmt, (ast.While,)) for use in uses)

    # -- uses of a name ---------------------------------------------------

    def use_kinds(self, name: str, res: kb.Resource) -> dict[str, list[ast.AST]]:
        """Uses of ``name`` in this frame and in nested functions, by kind."""
        closers = frozenset((*res.closers, "__aexit__", "__exit__"))
        borrowable = res.kind in _BORROWABLE_KINDS
        out: dict[str, list[ast.AST]] = {}
        for use in self.loads().get(name, ()):
            kind, node = _use_kind(use, self.parent, closers, borrowable)
            out.setdefault(kind, []).append(node)
        for nested in self._nested:
            kind2 = self.captured(nested, name, closers, borrowable)
            if kind2 is not None:
                out.setdefault(kind2, []).append(nested)
                out.setdefault("captured", []).append(nested)
        return out

    def captured(self, nested: ast.AST, name: str, closers: frozenset[str], borrowable: bool) -> str | None:
        """How a nested function or class uses ``name`` from this frame (None: it does not)."""
        if isinstance(nested, ast.ClassDef):
            body: list[ast.AST] = list(nested.body)
        elif isinstance(nested, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
            args = nested.args
            params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
            if args.vararg:
                params.add(args.vararg.arg)
            if args.kwarg:
                params.add(args.kwarg.arg)
            # ``async def _close(client=client): await client.aclose()``: the default binds
            # this frame's object to the parameter, so the body's uses of it count.
            positional = [*args.posonlyargs, *args.args]
            bound = [
                *zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True),
                *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None),
            ]
            alias = next((a.arg for a, d in bound if isinstance(d, ast.Name) and d.id == name), None)
            if alias is not None:
                name = alias
            elif name in params:
                return None
            body = [nested.body] if isinstance(nested, ast.Lambda) else list(nested.body)
        else:
            return None
        parents: dict[int, ast.AST] = {}
        loads: list[ast.Name] = []
        declared = False
        stored = False
        for top in body:
            for node in ast.walk(top):
                for child in ast.iter_child_nodes(node):
                    parents[id(child)] = node
                if isinstance(node, ast.Name) and node.id == name:
                    if isinstance(node.ctx, ast.Load):
                        loads.append(node)
                    else:
                        stored = True
                elif isinstance(node, ast.Nonlocal | ast.Global) and name in node.names:
                    declared = True
        if declared:
            return "handoff"
        if stored or not loads:
            return None
        if isinstance(nested, ast.ClassDef):
            return "handoff"
        kinds = {_use_kind(u, lambda n: parents.get(id(n)), closers, borrowable)[0] for u in loads}
        if kinds & {"with", "close", "handoff"}:
            return "handoff"  # closed or passed on whenever the nested function runs
        return "call" if kinds & {"call", "borrow", "delegate"} else "use"

    def in_loop_without(self, use: ast.AST, creation_stmt: ast.AST,
                        types: tuple[type[ast.AST], ...] = _LOOP_OR_COMP) -> bool:
        """Whether ``use`` sits in a loop of the frame that does not contain the creation
        (a few attempts at one call, ``for attempt in range(3): ... return``, are one use)."""
        node: ast.AST | None = use
        fn_node = self.fn.node
        while node is not None and node is not fn_node:
            p = self.parent(node)
            if isinstance(p, types) and not _contains(p, creation_stmt) and not _attempts(p):
                return True
            node = p
        return False

    def expected_to_fail(self, call: ast.AST) -> bool:
        """Whether ``call`` runs inside ``with pytest.raises(...)`` (a constructor test) or
        ``with mock.patch(...)`` (its I/O is mocked: no connection is ever opened)."""
        node: ast.AST | None = call
        fn_node = self.fn.node
        while node is not None and node is not fn_node:
            node = self.parent(node)
            if isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    expr = item.context_expr
                    if isinstance(expr, ast.Call) and (
                        name_of(expr.func) in _RAISES or _is_patch(expr.func)
                    ):
                        return True
        return False

    # -- loops ------------------------------------------------------------

    def enclosing_loop(self, call: ast.AST) -> ast.AST | None:
        """The innermost loop body or comprehension (per element) of the frame around ``call``."""
        child: ast.AST = call
        grandchild: ast.AST | None = None
        fn_node = self.fn.node
        p = self.parent(child)
        while p is not None and p is not fn_node:
            if isinstance(p, _LOOP_STMTS):
                if any(s is child for s in p.body):
                    return p
            elif isinstance(p, _COMPS):
                gens = p.generators
                if isinstance(child, ast.comprehension):
                    if not (gens and gens[0] is child and grandchild is child.iter):
                        return p
                else:
                    return p
            grandchild = child
            child = p
            p = self.parent(p)
        return None

    # -- paths ------------------------------------------------------------

    def path(self, node: ast.AST) -> Path:
        out: Path = []
        cur = node
        fn_node = self.fn.node
        while True:
            p = self.parent(cur)
            if p is None:
                break
            out.append(_locate(p, cur))
            if p is fn_node:
                break
            cur = p
        out.reverse()
        return out

    def leaky_exit(self, stmt: ast.stmt, name: str, closes: list[ast.AST]) -> ast.stmt | None:
        """The first explicit ``return``/``raise`` after ``stmt`` that skips every close."""
        self.loads()
        if not self._exits:
            return None
        ps = self.path(stmt)
        start = (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0)
        close_paths = [self.path(c) for c in closes if (c.lineno, c.col_offset) >= start]  # type: ignore[attr-defined]
        if not close_paths:
            return None
        for r in self._exits:
            if (r.lineno, r.col_offset) < start:
                continue
            if isinstance(r, ast.Return) and isinstance(r.value, ast.Name) and r.value.id == name:
                continue
            pr = self.path(r)
            if isinstance(r, ast.Raise) and _may_be_caught(pr):
                continue
            if not _reachable(ps, pr):
                continue
            if any(_covers(pc, pr, ps) for pc in close_paths):
                continue
            return r
        return None


# ---------------------------------------------------------------------------
# Helpers


def _use_kind(use: ast.Name, parent: Callable[[ast.AST], ast.AST | None], closers: frozenset[str],
              borrowable: bool) -> tuple[str, ast.AST]:
    """with | close | handoff | borrow | use, and the node that says so (the close call)."""
    node: ast.AST = use
    if isinstance(use.ctx, ast.Del):
        return "handoff", node  # ``del session``: dropped on purpose
    p = parent(node)
    # A value that flows through ``a or b`` / ``a if c else b`` goes where the expression goes.
    while isinstance(p, ast.BoolOp) or (isinstance(p, ast.IfExp) and p.test is not node):
        node = p
        p = parent(p)
    if isinstance(p, ast.withitem):
        return ("with" if p.context_expr is node else "use"), node
    if isinstance(p, ast.Attribute):
        if node is not use:
            return "use", node
        pp = parent(p)
        is_closer = p.attr in closers
        if isinstance(pp, ast.Call) and pp.func is p:
            if is_closer:
                return "close", pp
            return ("call" if not p.attr.startswith("_") else "use"), pp
        if is_closer and not isinstance(pp, ast.Expr | ast.Compare | ast.If | ast.Attribute):
            return "handoff", p  # a bound close method handed to a callback registry
        return "use", node
    if isinstance(p, ast.keyword | ast.Starred):
        holder = p
        p = parent(p)
        if isinstance(p, ast.Call) and isinstance(holder, ast.keyword | ast.Starred):
            if isinstance(holder, ast.Starred):  # f(*clients): unknown
                return "handoff", node
            return _lent(p, parent, borrowable), node
        return "handoff", node
    if isinstance(p, ast.Call):
        if p.func is node:
            return "use", node
        return _lent(p, parent, borrowable), node
    if isinstance(p, ast.Await | ast.AsyncFor) or (isinstance(p, ast.For) and p.iter is node):
        return "call", node  # ``await pool``, ``async for msg in ws``
    if isinstance(p, ast.Return | ast.Yield | ast.YieldFrom | ast.NamedExpr | ast.List | ast.Tuple
                  | ast.Set | ast.Dict | ast.Lambda):
        return "handoff", node
    if isinstance(p, ast.Assign | ast.AnnAssign | ast.AugAssign):
        return ("handoff" if p.value is node else "use"), node
    return "use", node


def _lent(call: ast.Call, parent: Callable[[ast.AST], ast.AST | None], borrowable: bool) -> str:
    """borrow | delegate | handoff: what passing a resource to ``call`` does with it.

    ``delegate`` is a borrow by a call awaited as a statement of its own
    (``await run_bot(session)``): possibly a long-running job, so the
    function is not taken for a per-request helper.
    """
    if not borrowable or not _borrows(call, parent):
        return "handoff"
    p = parent(call)
    if isinstance(p, ast.Await) and isinstance(parent(p), ast.Expr):
        return "delegate"
    return "borrow"


def _borrows(call: ast.Call, parent: Callable[[ast.AST], ast.AST | None]) -> bool:
    """Whether a call given a resource only uses it while it runs."""
    name = name_of(call.func)
    if name is None:
        return False
    if name in _NON_OWNING:
        return True
    if name[:1].isupper() or any(w in _OWNING_WORDS for w in _words(name)):
        return False
    cur: ast.AST = call
    p = parent(cur)
    while isinstance(p, ast.Starred | ast.List | ast.Tuple | ast.ListComp | ast.GeneratorExp | ast.SetComp):
        cur = p
        p = parent(p)
    if isinstance(p, ast.Await):
        return True
    if cur is not call and isinstance(p, ast.Assign | ast.AnnAssign):
        return True  # tasks = [fetch(session, u) for u in urls]
    if isinstance(p, ast.Call) and p.func is not cur:
        runner = name_of(p.func)
        if runner is None or runner not in _RUNNERS:
            return False
        # ``asyncio.create_task(worker(session))`` on its own: the task outlives this
        # function and owns what it was given.
        return runner not in _SPAWNERS or _in_batch(p, parent)
    return False


def _in_batch(spawn: ast.Call, parent: Callable[[ast.AST], ast.AST | None]) -> bool:
    """Whether a spawned task is collected to be awaited here (a comprehension, a local list)."""
    func = spawn.func
    if isinstance(func, ast.Attribute) and not (
        isinstance(func.value, ast.Name) and (func.value.id == "asyncio" or "loop" in func.value.id)
    ):
        return True  # tg.create_task(...), nursery.start_soon(...): awaited by the group
    p = parent(spawn)
    if isinstance(p, ast.Await | ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.List | ast.Tuple):
        return True
    if isinstance(p, ast.Call) and name_of(p.func) == "append":
        holder = p.func.value if isinstance(p.func, ast.Attribute) else None
        return isinstance(holder, ast.Name)  # tasks.append(...) on a local list
    return False


def _locate(parent: ast.AST, child: ast.AST) -> tuple[ast.AST, str, int]:
    for fname, value in ast.iter_fields(parent):
        if value is child:
            return parent, fname, -1
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is child:
                    return parent, fname, i
    return parent, "", -1


def _same(a: tuple[ast.AST, str, int], b: tuple[ast.AST, str, int]) -> bool:
    return a[0] is b[0] and a[1] == b[1] and a[2] == b[2]


def _diverge(pa: Path, pb: Path) -> int:
    k = 0
    n = min(len(pa), len(pb))
    while k < n and _same(pa[k], pb[k]):
        k += 1
    return k


_TRY_ORDER = {"body": 0, "handlers": 1, "orelse": 2, "finalbody": 3}


def _reachable(ps: Path, pt: Path) -> bool:
    """Whether the statement at ``pt`` can run after the one at ``ps`` (ignoring loops back)."""
    k = _diverge(ps, pt)
    if k >= len(ps) or k >= len(pt):
        return False
    container, fs, i_s = ps[k]
    _, ft, i_t = pt[k]
    if fs == ft:
        if isinstance(container, _TRY_TYPES) and fs == "handlers":
            return False
        if isinstance(container, ast.Match) and fs == "cases":
            return False
        return i_t > i_s
    if isinstance(container, _TRY_TYPES):
        if ft == "finalbody":
            return True
        if fs == "body" and ft == "handlers":
            # Reached by an exception after the creation: only if something can raise after it
            # (``try: conn = await connect() except OSError: return`` never holds a connection).
            return i_s < len(container.body) - 1 or len(ps) > k + 1
        return fs == "body" and ft == "orelse"
    if isinstance(container, _LOOP_STMTS):
        return fs == "body" and ft == "orelse"
    return False


def _covers(pc: Path, pr: Path, ps: Path) -> bool:
    """Whether the close at ``pc`` always runs between the creation at ``ps`` and the exit at ``pr``."""
    for container, field, _ in pc:
        if (
            isinstance(container, _TRY_TYPES)
            and field == "finalbody"
            and any(e[0] is container and e[1] in ("body", "handlers", "orelse") for e in pr)
        ):
            return True
    k = _diverge(pc, pr)
    if k >= len(pr):
        return True  # the close is part of the exit statement itself
    if k >= len(pc):
        return False
    # The close comes first in a block that holds the exit.
    container, fc, i_c = pc[k]
    _, fr, i_r = pr[k]
    if fc == fr and i_c < i_r and _sequential(container, fc) and _unconditional(pc[k + 1:]):
        return True
    # The close comes after the creation in a block the exit is outside of (or past the close):
    # every path from the creation leaves that block through the close.  The ``else:`` of a
    # ``try:`` continues its body: ``try: f = open() except OSError: ... else: ...; f.close()``.
    j = _diverge(pc, ps)
    if j >= len(pc) or j >= len(ps):
        return False
    container, fc, i_c = pc[j]
    _, fs, i_s = ps[j]
    try_else = isinstance(container, _TRY_TYPES) and fs == "body" and fc == "orelse"
    in_order = fc == fs and i_s < i_c and _sequential(container, fc)
    if not (in_order or try_else) or not _unconditional(pc[j + 1:]):
        return False
    if _diverge(pc, pr) > j:  # pr passes through the same block entry as the close: inside it
        return False
    k2 = _diverge(ps, pr)
    if (
        k2 < len(ps)
        and k2 < len(pr)
        and isinstance(ps[k2][0], _TRY_TYPES)
        and ps[k2][1] == "body"
        and pr[k2][1] == "handlers"
        and not _closed_by_next_finally(ps, pc, k2)
    ):
        return False  # an exception between the creation and the close goes straight to the exit
    if len(pr) > j and all(_same(pr[d], pc[d]) for d in range(j)):
        e_container, fr, i_r = pr[j]
        if e_container is container:
            if try_else:
                return not (
                    (fr == "body" and i_r >= i_s)
                    or (fr == "orelse" and i_r <= i_c)
                    or fr in ("handlers", "finalbody")
                )
            if fr == fc and i_s <= i_r <= i_c:
                return False
    return True


def _closed_by_next_finally(ps: Path, pc: Path, k: int) -> bool:
    """``try: s = open(); try: ... finally: s.close()  except E: return``: the statement right
    after the creation, in the ``try:`` body at depth ``k``, is a ``try:`` whose ``finally:``
    closes, so an exception after the creation passes through the close."""
    if len(ps) != k + 1 or len(pc) < k + 2:
        return False
    container, field, i_s = ps[k]
    c_container, c_field, i_c = pc[k]
    if c_container is not container or c_field != field or i_c != i_s + 1:
        return False
    inner, inner_field, _ = pc[k + 1]
    return isinstance(inner, _TRY_TYPES) and inner_field == "finalbody"


def _sequential(container: ast.AST, field: str) -> bool:
    """Whether ``container.field`` is a block whose statements run one after the other."""
    if field not in _BLOCK_FIELDS:
        return False
    if isinstance(container, _TRY_TYPES) and field == "handlers":
        return False
    return not (isinstance(container, ast.Match) and field == "cases")


def _unconditional(path: Path) -> bool:
    """Whether the node at the end of ``path`` runs whenever the statement at its start does."""
    for cont, field, idx in path:
        if isinstance(cont, ast.stmt):
            if field in _BLOCK_FIELDS and not (
                (isinstance(cont, ast.With | ast.AsyncWith) and field == "body")
                or (isinstance(cont, _TRY_TYPES) and field in ("body", "orelse", "finalbody"))
            ):
                return False
        elif (isinstance(cont, ast.IfExp) and field != "test") or (isinstance(cont, ast.BoolOp) and idx > 0) or isinstance(cont, (*_COMPS, ast.comprehension, ast.Lambda)):
            return False
    return True


def _may_be_caught(pr: Path) -> bool:
    return any(
        isinstance(container, _TRY_TYPES) and field == "body" and container.handlers
        for container, field, _ in pr
    )


def _contains(outer: ast.AST, inner: ast.AST) -> bool:
    return any(node is inner for node in ast.walk(outer))


def _has_loop(body: list[ast.stmt]) -> bool:
    """Whether a block contains a loop statement (not counting nested functions)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, _LOOP_STMTS):
            return True
        if isinstance(node, _NESTED):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


# Calls that open a websocket on a client: the client lives as long as the socket.
_WEBSOCKET_OPENERS = frozenset({"ws_connect", "websocket_connect", "aconnect_ws", "connect_ws"})


def _long_lived(body: list[ast.stmt]) -> bool:
    """Whether a block keeps a connection for a long exchange: a ``while`` loop,
    ``async for msg in ws`` over an object rather than over a call's result, or a
    websocket opened on the client (``session.ws_connect(url)``)."""
    for node in iter_frame(body):
        if isinstance(node, ast.While):
            return True
        if isinstance(node, ast.AsyncFor) and isinstance(node.iter, ast.Name | ast.Attribute):
            return True
        if isinstance(node, ast.Call) and name_of(node.func) in _WEBSOCKET_OPENERS:
            return True
    return False


def iter_frame(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under ``nodes`` without entering nested functions and classes."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _NESTED):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
