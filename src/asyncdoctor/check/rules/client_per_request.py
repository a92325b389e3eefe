"""ADC402 client-per-request."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from .. import _knowledge as kb
from .._analysis import CallSite, FuncInfo, FunctionContext, Report
from .._index import PFunc, ProjectIndex, ProjectReport
from .._refs import LibMethod, LibName, canonical, lib_qualname
from ._base import Rule, register
from ._ownership import PER_LOOP, Creation, _words, analyse, ctor_display, iter_frame
from ._util import display_name, in_test_code, name_of

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


# -- request and event handlers ------------------------------------------------------------

_HTTP_METHODS = frozenset({"get", "post", "put", "delete", "patch", "head", "options", "trace"})
_WS_METHODS = frozenset({"websocket", "websocket_route", "ws"})
_ROUTE_METHODS = _HTTP_METHODS | _WS_METHODS | {"route", "api_route", "view"}

#: Classes whose instances' methods decorate web route handlers (``@app.get("/")``).
_WEB_ROUTERS: dict[str, str] = {
    "fastapi.FastAPI": "FastAPI",
    "fastapi.APIRouter": "FastAPI",
    "fastapi.routing.APIRouter": "FastAPI",
    "starlette.applications.Starlette": "Starlette",
    "starlette.routing.Router": "Starlette",
    "aiohttp.web.RouteTableDef": "aiohttp",
    "aiohttp.web_routedef.RouteTableDef": "aiohttp",
    "quart.Quart": "Quart",
    "quart.Blueprint": "Quart",
    "sanic.Sanic": "Sanic",
    "sanic.Blueprint": "Sanic",
}
#: Web frameworks whose ``async def`` views share one event loop (Flask's do not:
#: each request runs its coroutine in an event loop of its own).
_ASYNC_WEB = ("fastapi", "starlette", "aiohttp", "quart", "sanic", "litestar")

_AIOGRAM_EVENTS = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
        "inline_query", "chosen_inline_result", "my_chat_member", "chat_member",
        "chat_join_request", "pre_checkout_query", "shipping_query", "poll_answer",
        "message_reaction", "business_message",
    }
)
_AIOGRAM2 = frozenset(f"{e}_handler" for e in _AIOGRAM_EVENTS)
_PYROGRAM = frozenset(
    {
        "on_message", "on_edited_message", "on_callback_query", "on_inline_query",
        "on_chosen_inline_result", "on_chat_member_updated", "on_chat_join_request",
        "on_deleted_messages", "on_poll", "on_message_reaction_updated",
    }
)
_DISCORD_BOT = frozenset({"event", "command", "hybrid_command", "listen", "slash_command"})

#: Bot classes, with the decorator methods that register a handler run once per event.
_BOTS: dict[str, tuple[str, frozenset[str]]] = {
    "discord.Client": ("discord.py", frozenset({"event"})),
    "discord.AutoShardedClient": ("discord.py", frozenset({"event"})),
    "discord.ext.commands.Bot": ("discord.py", _DISCORD_BOT),
    "discord.ext.commands.AutoShardedBot": ("discord.py", _DISCORD_BOT),
    "discord.app_commands.CommandTree": ("discord.py", frozenset({"command", "context_menu"})),
    "hikari.GatewayBot": ("hikari", frozenset({"listen"})),
    "hikari.impl.GatewayBot": ("hikari", frozenset({"listen"})),
    "aiogram.Router": ("aiogram", _AIOGRAM_EVENTS),
    "aiogram.Dispatcher": ("aiogram", _AIOGRAM_EVENTS | _AIOGRAM2),
    "telethon.TelegramClient": ("Telethon", frozenset({"on"})),
    "pyrogram.Client": ("Pyrogram", _PYROGRAM),
    "twitchio.Client": ("TwitchIO", frozenset({"event"})),
    "twitchio.ext.commands.Bot": ("TwitchIO", frozenset({"event", "command"})),
}
#: Decorator functions that make a handler run once per event or command.
_HANDLER_DECORATORS: dict[str, str] = {
    "discord.ext.commands.command": "discord.py",
    "discord.ext.commands.hybrid_command": "discord.py",
    "discord.ext.commands.Cog.listener": "discord.py",
    "discord.app_commands.command": "discord.py",
    "twitchio.ext.commands.command": "TwitchIO",
    "telethon.events.register": "Telethon",
    "aiohttp.web.middleware": "aiohttp",
    **{f"pyrogram.Client.{m}": "Pyrogram" for m in _PYROGRAM},
    **{f"litestar.{m}": "Litestar" for m in (*_HTTP_METHODS, "route", "websocket")},
}
#: Libraries a module must import for a decorator on an object of unknown type
#: (imported from another module) to be taken for theirs.
_BOT_LIBS = ("discord", "hikari", "aiogram", "telethon", "pyrogram", "twitchio")

#: ``app.router.add_get("/", handler)``, ``web.get("/", handler)``, ``Route("/", handler)``...:
#: the call names that register the function they are given as a handler.
_REGISTRARS = frozenset(
    {
        *(f"add_{m}" for m in _HTTP_METHODS), "add_route", "add_view", "add_api_route",
        "add_websocket_route", "add_api_websocket_route", "Route", "WebSocketRoute",
        "register_message_handler", "register_callback_query_handler", "add_event_handler",
        "MessageHandler", "CallbackQueryHandler", "add_listener",
    }
)
#: Classes whose ``get``/``post``... methods handle one request each (class-based views).
_VIEW_BASES = frozenset(
    {"aiohttp.web.View", "aiohttp.web_urldispatcher.View", "starlette.endpoints.HTTPEndpoint"}
)
_REQUEST_TYPES = frozenset(
    {"aiohttp.web.Request", "aiohttp.web.BaseRequest", "aiohttp.web_request.Request",
     "aiohttp.web_request.BaseRequest"}
)


#: Handlers of events that happen once, when a bot connects or starts.
_ONCE = frozenset(
    {"on_ready", "on_connect", "on_resumed", "on_shard_ready", "on_shard_connect", "event_ready",
     "setup_hook", "on_startup", "on_start", "on_shutdown", "on_cleanup", "event_channel_joined"}
)
#: hikari events of the same kind (``@bot.listen(hikari.StartedEvent)``).
_ONCE_EVENTS = ("Started", "Starting", "Stopping", "Stopped", "ShardReady", "ShardConnected")


@dataclass(frozen=True, slots=True)
class _Handler:
    what: str  # "a FastAPI route", "a discord.py event handler"...
    per: str  # "request" | "event" | "connection"


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _imports_lib(fn: FunctionContext, libs: tuple[str, ...]) -> bool:
    return any(v.partition(".")[0] in libs for v in fn.summary.symbols.values() if v)


def _decorator_handler(fn: FunctionContext, node: ast.expr, ref: str) -> _Handler | None:
    called = isinstance(node, ast.Call)
    func = node.func if isinstance(node, ast.Call) else node
    method = name_of(func)
    if method is None:
        return None
    if ref.endswith("()"):
        ref = ref[:-2]
    lib = canonical(ref) if ref else ""
    if lib in _HANDLER_DECORATORS:
        framework = _HANDLER_DECORATORS[lib]
        if framework == "Litestar":
            return _Handler(f"a {framework} route", "request")
        if framework == "aiohttp":
            return _Handler("an aiohttp middleware", "request")
        return _Handler(f"{_a(framework)} {framework} handler", "event")
    receiver, _, attr = ref.rpartition(".")
    if receiver.endswith("()") and attr == method:
        cls = canonical(receiver[:-2])
        if cls in _WEB_ROUTERS and (method in _ROUTE_METHODS or method == "middleware"):
            framework = _WEB_ROUTERS[cls]
            if method == "middleware":
                return _Handler(f"{_a(framework)} {framework} middleware", "request")
            if method in _WS_METHODS:
                return _Handler(f"{_a(framework)} {framework} websocket route", "connection")
            return _Handler(f"{_a(framework)} {framework} route", "request")
        if cls in _BOTS:
            framework, methods = _BOTS[cls]
            if _once_event(node):
                return None
            return _Handler(f"{_a(framework)} {framework} handler", "event") if method in methods else None
        if cls.partition(".")[0] != fn.module.partition(".")[0]:
            return None  # an instance of another library's class: ``typer.Typer().command()``
    if isinstance(func, ast.Attribute):
        # An object of unknown type (imported from another module) or of a project class.
        return _guess_handler(fn, node, method, called)
    return None


def _once_event(node: ast.expr) -> bool:
    """``@bot.listen(hikari.StartedEvent)``: a listener of an event that happens once."""
    if not isinstance(node, ast.Call):
        return False
    return any(
        (name_of(a) or "").startswith(_ONCE_EVENTS) for a in (*node.args, *(k.value for k in node.keywords))
    )


def _guess_handler(fn: FunctionContext, node: ast.expr, method: str, called: bool) -> _Handler | None:
    if called and method in _ROUTE_METHODS and method != "view":
        assert isinstance(node, ast.Call)
        path = node.args[0] if node.args else next(
            (kw.value for kw in node.keywords if kw.arg == "path"), None
        )
        if (
            isinstance(path, ast.Constant)
            and isinstance(path.value, str)
            and path.value.startswith("/")
            and _imports_lib(fn, _ASYNC_WEB)
            and not _imports_lib(fn, ("flask",))
        ):
            if method in _WS_METHODS:
                return _Handler("a websocket route", "connection")
            return _Handler("a route", "request")
        return None
    if not _imports_lib(fn, _BOT_LIBS) or _once_event(node):
        return None
    if method in _AIOGRAM2 or (method in _PYROGRAM and called):
        return _Handler("a bot handler", "event")
    receiver = node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else (
        node.value if isinstance(node, ast.Attribute) else None
    )
    owner = (name_of(receiver) or "").lower() if receiver is not None else ""
    if method == "on" and called and isinstance(node, ast.Call) and node.args:
        value = fn.lib(node.args[0].func if isinstance(node.args[0], ast.Call) else node.args[0])
        if isinstance(value, LibName) and value.name.startswith("telethon.events."):
            return _Handler("a Telethon handler", "event")
        return None
    if method in _AIOGRAM_EVENTS and called and owner in ("dp", "router", "dispatcher"):
        return _Handler("an aiogram handler", "event")
    if method in _DISCORD_BOT and ("bot" in owner or "client" in owner or owner == "tree"):
        return _Handler("a bot handler", "event")
    return None


def _registered(fn: FunctionContext) -> set[tuple[bool, str]]:
    """Functions the module registers as handlers: (is a ``self.`` method, name)."""
    tree = getattr(getattr(fn, "_analysis", None), "tree", None)
    if not isinstance(tree, ast.Module):
        return set()
    if _REGISTERED_CACHE and _REGISTERED_CACHE[0][0] is tree:
        return _REGISTERED_CACHE[0][1]
    out: set[tuple[bool, str]] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = name_of(node.func)
        if name not in _REGISTRARS and not (name in _ROUTE_METHODS and _is_web_route_def(fn, node.func)):
            continue
        for arg in (*node.args, *(kw.value for kw in node.keywords if kw.arg in ("handler", "endpoint", "callback"))):
            if isinstance(arg, ast.Name):
                out.add((False, arg.id))
            elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "self":
                out.add((True, arg.attr))
    _REGISTERED_CACHE[:] = [(tree, out)]
    return out


def _is_web_route_def(fn: FunctionContext, func: ast.expr) -> bool:
    """``web.get`` / ``web.route`` / ``web.view`` of aiohttp (``app.add_routes([web.get("/", h)])``)."""
    value = fn.lib(func)
    return isinstance(value, LibName) and value.name.startswith("aiohttp.web.")


_REGISTERED_CACHE: list[tuple[ast.Module, set[tuple[bool, str]]]] = []


def _handler(fn: FunctionContext) -> _Handler | None:
    """What framework runs ``fn`` once per request or event, if one does."""
    node = fn.node
    if not isinstance(node, ast.AsyncFunctionDef) or fn.info.is_generator or in_test_code(fn):
        return None
    if node.name in _ONCE or any(w in node.name.lower() for w in ("startup", "shutdown", "lifespan")):
        return None  # run when the application or the bot starts, not per request
    for deco, ref in zip(node.decorator_list, fn.info.decorators, strict=False):
        found = _decorator_handler(fn, deco, ref)
        if found is not None:
            return found
    info = fn.info
    if info.cls is not None:
        cls = fn.summary.classes.get(info.cls)
        if cls is not None and node.name in _HTTP_METHODS and any(
            canonical(b) in _VIEW_BASES for b in cls.bases
        ):
            return _Handler("a class-based view", "request")
    params = [*node.args.posonlyargs, *node.args.args]
    if info.kind == "method" and params:
        params = params[1:]
    first = fn.scope.types.get(params[0].arg) if params else None
    if first is not None and canonical(first.removesuffix("()")) in _REQUEST_TYPES:
        return _Handler("an aiohttp handler", "request")
    registered = _registered(fn)
    if (info.cls is not None, node.name) in registered and _imports_lib(fn, (*_ASYNC_WEB, *_BOT_LIBS)):
        return _Handler("a request handler", "request")
    return None


def _per_caller(c: Creation, fn: FunctionContext) -> bool:
    """Whether the client's arguments depend on the request (credentials, a target host...).

    ``httpx.AsyncClient(headers={"Authorization": token})`` with ``token`` from the
    request: one client per caller may be meant, so nothing is reported.
    """
    node = fn.node
    assert isinstance(node, ast.AsyncFunctionDef)
    args = node.args
    tainted = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)} - {"self", "cls"}
    if args.vararg:
        tainted.add(args.vararg.arg)
    if args.kwarg:
        tainted.add(args.kwarg.arg)
    for stmt in iter_frame(node.body):
        if stmt is c.call:
            break
        value: ast.AST | None = None
        targets: list[ast.AST] = []
        if isinstance(stmt, ast.Assign):
            value, targets = stmt.value, list(stmt.targets)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            value, targets = stmt.value, [stmt.target]
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            value, targets = stmt.iter, [stmt.target]
        elif isinstance(stmt, ast.withitem) and stmt.optional_vars is not None:
            value, targets = stmt.context_expr, [stmt.optional_vars]
        if value is None or not _mentions(value, tainted):
            continue
        for t in targets:
            tainted.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
    call_args = [*c.call.args, *(kw.value for kw in c.call.keywords)]
    return any(_mentions(a, tainted) for a in call_args)


#: ``request.app["dsn"]``, ``ctx.bot.config``: what the application, not the request, holds.
_APP_ATTRS = frozenset({"app", "config_dict", "bot", "client"})


def _mentions(node: ast.AST, names: set[str]) -> bool:
    app_held: set[int] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr in _APP_ATTRS and isinstance(n.value, ast.Name):
            app_held.add(id(n.value))
        elif isinstance(n, ast.Name) and n.id in names and id(n) not in app_held:
            return True
    return False


def _in_process(c: Creation) -> bool:
    """``httpx.AsyncClient(transport=ASGITransport(app))``, ``AsyncClient(app=app)``: no network."""
    for kw in c.call.keywords:
        if kw.arg == "app":
            return True
        if kw.arg == "transport" and isinstance(kw.value, ast.Call):
            name = name_of(kw.value.func) or ""
            if "ASGI" in name or "WSGI" in name or "Mock" in name:
                return True
    return False


# -- loops paced by a person ---------------------------------------------------------------------

#: ``adc402:paced:<qualname>|<first line>|<last line>`` in ``FileSummary.flags``: a loop
#: of that function that waits for someone to type at every turn (a console chat).
_PACED = "adc402:paced:"


def _interactive(name: str) -> bool:
    """``input``, ``ainput``, ``prompt_async``, ``ask_async``, ``_get_user_input``..."""
    return any(w.endswith("input") or w in ("ask", "prompt", "getpass") for w in _words(name))


def _note_paced_loops(fn: FunctionContext) -> None:
    """Loops whose every turn waits for user input: a client per turn costs nothing there."""
    lines = [
        site.line for site in fn.info.calls
        if site.in_loop and _interactive(site.ref.rpartition(".")[2].removesuffix("()"))
    ]
    if not lines:
        return
    for node in fn.walk():
        if isinstance(node, _LOOP_STMTS) and any(node.lineno <= ln <= (node.end_lineno or 0) for ln in lines):
            flag = f"{_PACED}{fn.info.qualname}|{node.lineno}|{node.end_lineno}"
            if flag not in fn.summary.flags:
                fn.summary.flags.append(flag)


def _paced_loops(index: ProjectIndex) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for summary in index.summaries:
        for flag in summary.flags:
            if flag.startswith(_PACED):
                qualname, first, last = flag[len(_PACED):].rsplit("|", 2)
                out.setdefault(qualname, []).append((int(first), int(last)))
    return out


#: Clients used through attributes (``client.db.users.find_one()``): never "used for
#: I/O" in the sense of :mod:`._ownership`, which calls them ``idle``.
_ATTRIBUTE_CLIENTS = frozenset({"motor.motor_asyncio.AsyncIOMotorClient", "pymongo.AsyncMongoClient"})


def _per_request(c: Creation, fn: FunctionContext, handler: _Handler) -> bool:
    """Whether a client created in a handler (not in a loop) lives for one request only."""
    if c.long_lived or c.borrowed or c.used_in_loop:
        return False  # kept for a websocket's messages, a batch of calls, or a long job
    if any(isinstance(n, ast.AsyncFor | ast.While) for n in iter_frame(fn.body)):
        return False  # a stream or a long exchange: the client's cost is small beside it
    return not (_in_process(c) or _per_caller(c, fn))


def _handler_message(c: Creation, fn: FunctionContext, handler: _Handler) -> str:
    what = ctor_display(c.key, c.res)
    verb = "opened" if c.res.kind == "connection" else "created"
    name = fn.info.name
    if c.res.kind == "connection":
        advice = "create a pool once, at start-up, and acquire connections from it"
    else:
        noun = "pool" if c.res.kind == "pool" else ("session" if c.key.endswith("Session") else "client")
        where = (
            "when the bot starts (or lazily, in a module-level or bot attribute)"
            if handler.per == "event"
            else "at start-up (in the lifespan or a startup hook, kept in the application state)"
        )
        advice = f"create one {noun} {where} and reuse it: it keeps connections alive and pools them"
    return f"a new {what} is {verb} for every {handler.per} handled by `{name}()` ({handler.what}): {advice}"


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

    A request or event handler runs once per request, so a client created
    in it (even with `async with`) is one client per request too: FastAPI
    and Starlette routes and middleware (`@app.get(...)`,
    `@router.post(...)`, `@app.api_route(...)`, `@app.websocket(...)`,
    `@app.middleware("http")`, `HTTPEndpoint` methods), aiohttp handlers
    (a first parameter annotated `web.Request`,
    `RouteTableDef` decorators, `web.View` methods, functions registered
    with `app.router.add_get(...)`, `web.get(...)` or `Route(...)`), Quart,
    Sanic and Litestar routes, and bot handlers (discord.py `@bot.event`,
    `@bot.command()`, `@commands.command()`, `@commands.Cog.listener()`;
    hikari `@bot.listen(...)`; aiogram `@router.message(...)`,
    `@dp.message_handler(...)`; Telethon `@client.on(events.NewMessage)`;
    Pyrogram `@app.on_message(...)`). A decorator on an object imported from
    another module counts when its module imports the framework: a route
    path (`@app.get("/items")`) for web frameworks, the handler's name for
    bots. Not reported there: startup, shutdown and lifespan functions,
    handlers of events that happen once (`on_ready`, `setup_hook`, hikari's
    `StartedEvent`), clients built from the request (credentials, a target
    host: `httpx.AsyncClient(headers={"Authorization": token})`, where
    `token` comes from the handler's parameters, though not
    `request.app[...]`, which the application holds), in-process clients
    (`transport=ASGITransport(app)`), handlers that keep the client for a
    loop or a stream, Flask views (each runs in an event loop of its own),
    CLI commands (`@cli.command()` of typer or click) and test code.

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
    a long-running job), loops that wait for someone to type at every turn
    (`await prompt.prompt_async()`, `input()`: a console chat), generators,
    synchronous code, and coroutines run
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
        _note_paced_loops(fn)
        creations = analyse(fn)
        if not creations:
            return
        handler: _Handler | None = None
        looked = False
        for c in creations:
            if not _flagged_kind(c) or not (
                c.fate in _PER_RUN or (c.fate == "idle" and c.key in _ATTRIBUTE_CLIENTS)
            ):
                continue
            if c.loop is None:
                if not looked:
                    handler, looked = _handler(fn), True
                if handler is not None:
                    if _per_request(c, fn, handler):
                        yield fn.report(self.code, c.call, _handler_message(c, fn, handler))
                    continue
                if c.fate == "idle":
                    continue
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
        paced = _paced_loops(index)
        for info, _summary in index.iter_functions():
            for site in info.calls:
                if not site.in_loop:
                    continue
                if any(a <= site.line <= b for a, b in paced.get(info.qualname, ())):
                    continue  # a loop that waits for a person at every turn
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
