"""ADC402 client-per-request."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .. import _knowledge as kb
from .._analysis import CallSite, FuncInfo, FunctionContext, Report, Usage
from .._index import PFunc, ProjectIndex, ProjectReport
from .._refs import LibMethod, LibName, canonical, lib_qualname
from ._base import Rule, register
from ._ownership import (
    PER_LOOP,
    Creation,
    _long_lived,
    _words,
    analyse,
    ctor_display,
    iter_frame,
    returned_fresh,
    shares_pool,
)
from ._util import display_name, in_test_code, is_test_module, name_of

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
    has_handler, exits = _handles_and_exits(loop)
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


def _handles_and_exits(loop: ast.For | ast.AsyncFor | ast.While) -> tuple[bool, bool]:
    """Whether a loop's body has a ``try`` with handlers, and a ``return`` or ``break``."""
    handles = exits = False
    for node in iter_frame(loop.body):
        if isinstance(node, ast.Try | ast.TryStar) and node.handlers:
            handles = True
        elif isinstance(node, ast.Return | ast.Break):
            exits = True
    return handles, exits


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
#: Hooks a web application runs before every request (Quart's ``@app.before_request``,
#: Sanic's ``@app.on_request``).
_REQUEST_HOOKS = frozenset({"before_request", "before_app_request", "on_request"})

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
#: GraphQL resolvers run once for every query (or mutation) that asks for their field.
_STRAWBERRY = ("field", "mutation")
#: ariadne's bindables: ``query = QueryType()``, then ``@query.field("user")``.
_ARIADNE_TYPES = frozenset({"QueryType", "MutationType", "ObjectType", "InterfaceType"})
#: Libraries whose resolvers may be registered by name (``strawberry.field(resolver=f)``,
#: ``query.set_field("user", f)``), or decorated through an object of another module.
_GRAPHQL_LIBS = ("strawberry", "graphene", "ariadne")
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
    **{f"strawberry.{m}": "Strawberry" for m in _STRAWBERRY},
    **{f"strawberry.federation.{m}": "Strawberry" for m in _STRAWBERRY},
}
#: Job queues whose workers run a coroutine function once per job: arq and saq take a
#: list of them (``functions = [...]`` in arq's ``WorkerSettings``, ``Worker(queue,
#: functions=[...])`` or a settings dict in saq); taskiq's ``@broker.task`` registers one.
_JOB_LIBS = ("arq", "saq", "taskiq")
#: Message brokers whose subscribers run once per message (``@broker.subscriber("topic")``).
_SUBSCRIBER_LIBS = ("faststream",)
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
    per: str  # "request" | "event" | "connection" | "job" | "message"


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
        if framework == "Strawberry":
            return _Handler("a Strawberry resolver", "request")
        return _Handler(f"{_a(framework)} {framework} handler", "event")
    receiver, _, attr = ref.rpartition(".")
    if receiver.endswith("()") and attr == method:
        cls = canonical(receiver[:-2])
        if cls in _WEB_ROUTERS and (method in _ROUTE_METHODS or method == "middleware" or method in _REQUEST_HOOKS):
            framework = _WEB_ROUTERS[cls]
            if method == "middleware":
                return _Handler(f"{_a(framework)} {framework} middleware", "request")
            if method in _REQUEST_HOOKS:
                return _Handler(f"{_a(framework)} {framework} hook run before every request", "request")
            if method in _WS_METHODS:
                return _Handler(f"{_a(framework)} {framework} websocket route", "connection")
            return _Handler(f"{_a(framework)} {framework} route", "request")
        if cls.startswith("ariadne.") and cls.rpartition(".")[2] in _ARIADNE_TYPES:
            return _Handler("an ariadne resolver", "request") if method == "field" else None
        if cls in _BOTS:
            framework, methods = _BOTS[cls]
            if _once_event(node):
                return None
            return _Handler(f"{_a(framework)} {framework} handler", "event") if method in methods else None
        queue = _queue_handler(cls.partition(".")[0].partition("_")[0], method)
        if queue is not None:
            return queue
        if cls.partition(".")[0] != fn.module.partition(".")[0]:
            return None  # an instance of another library's class: ``typer.Typer().command()``
    if isinstance(func, ast.Attribute):
        # An object of unknown type (imported from another module) or of a project class.
        return _guess_handler(fn, node, method, called)
    return None


def _queue_handler(lib: str, method: str) -> _Handler | None:
    """``@broker.task`` of taskiq, ``@broker.subscriber(...)`` of FastStream."""
    if lib == "taskiq" and method == "task":
        return _Handler("a taskiq task", "job")
    if lib in _SUBSCRIBER_LIBS and method == "subscriber":
        return _Handler("a FastStream subscriber", "message")
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
    if called and method == "field" and _imports_lib(fn, ("ariadne",)):
        assert isinstance(node, ast.Call)
        name = node.args[0] if node.args else None
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return _Handler("an ariadne resolver", "request")
        return None
    if method in ("task", "subscriber"):
        lib = next((lib for lib in (*_JOB_LIBS, *_SUBSCRIBER_LIBS) if _imports_lib(fn, (lib,))), "")
        return _queue_handler(lib, method)
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


def _registered(fn: FunctionContext) -> dict[tuple[bool, str], str]:
    """Functions the module registers as handlers: (is a ``self.`` method, name) -> kind.

    The kind is ``"handler"`` (``app.router.add_get("/", f)``) or ``"resolver"``
    (``strawberry.field(resolver=f)``, ``query.set_field("user", f)``).
    """
    out: dict[tuple[bool, str], str] = {}
    for kind, arg in _registrations(fn):
        if isinstance(arg, ast.Name):
            out.setdefault((False, arg.id), kind)
        elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "self":
            out.setdefault((True, arg.attr), kind)
    return out


def _registrations(fn: FunctionContext) -> list[tuple[str, ast.expr]]:
    """(``"handler"`` or ``"resolver"``, function given) for each registration in the module."""
    tree = fn.module_tree
    if _REGISTERED_CACHE and _REGISTERED_CACHE[0][0] is tree:
        return _REGISTERED_CACHE[0][1]
    out = list(_walk_registrations(fn, tree)) if _may_register(fn) else []
    _REGISTERED_CACHE[:] = [(tree, out)]
    return out


#: What the text of a module that registers a handler holds (see :func:`_may_register`).
_REGISTRATION_TEXT = re.compile(
    r"\b(?:" + "|".join(sorted(_REGISTRARS | {"set_field"})) + r")\s*\(|\bresolver\s*="
    r"|\bfunctions\b[\"']?\s*[=:]"
)


def _may_register(fn: FunctionContext) -> bool:
    """A cheap filter: whether the module may register a handler at all.

    Registrars are mostly called on objects of unknown type (``app.router.add_get``
    with ``app`` a parameter), in no call site of the summary, and walking every
    module's tree is costly: the file's text is searched for their names instead
    (as ADC202 does). When it cannot be read, or is not the text analysed (as with
    ``check_source``), the tree is walked.
    """
    if _imports_lib(fn, ("aiohttp",)):
        return True  # ``web.get("/", handler)``
    try:
        with open(fn.summary.path, encoding="utf-8", errors="replace", newline="") as f:
            text = f.read()
    except (OSError, ValueError):
        return True
    if text.count("\n") + 1 != fn.summary.lines:
        return True  # not the text analysed
    return _REGISTRATION_TEXT.search(text) is not None


def _walk_registrations(fn: FunctionContext, tree: ast.Module) -> Iterator[tuple[str, ast.expr]]:
    jobs = _imports_lib(fn, _JOB_LIBS)
    for node in ast.walk(tree):
        if jobs:
            yield from (("job", f) for f in _job_functions(node))
        if not isinstance(node, ast.Call):
            continue
        name = name_of(node.func)
        args: list[ast.expr]
        if name in _RESOLVER_REGISTRARS:
            kind = "resolver"
            args = [kw.value for kw in node.keywords if kw.arg == "resolver"]
            if name == "set_field" and len(node.args) == 2:
                args.append(node.args[1])
        elif name in _REGISTRARS or (name in _ROUTE_METHODS and _is_web_route_def(fn, node.func)):
            kind = "handler"
            args = [*node.args, *(kw.value for kw in node.keywords if kw.arg in ("handler", "endpoint", "callback"))]
        else:
            continue
        for arg in args:
            yield kind, arg


def _job_functions(node: ast.AST) -> Iterator[ast.expr]:
    """The coroutine functions a worker is given to run per job: ``functions = [a, b]``
    (arq's ``WorkerSettings``), ``{"functions": [...]}`` or ``functions=[...]`` (saq, arq's
    ``Worker``), an item being the function or ``func(f, ...)`` (arq)."""
    listed: ast.expr | None = None
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "functions" for t in node.targets
    ):
        listed = node.value
    elif isinstance(node, ast.Dict):
        listed = next(
            (v for k, v in zip(node.keys, node.values, strict=True)
             if isinstance(k, ast.Constant) and k.value == "functions"),
            None,
        )
    elif isinstance(node, ast.Call):
        listed = next((kw.value for kw in node.keywords if kw.arg == "functions"), None)
    if not isinstance(listed, ast.List | ast.Tuple | ast.Set):
        return
    for elt in listed.elts:
        if isinstance(elt, ast.Call) and name_of(elt.func) == "func" and elt.args:
            elt = elt.args[0]
        if isinstance(elt, ast.Name | ast.Attribute):
            yield elt


#: ``adc402:reg:<ref>|<kind>``: a module registers ``ref``, a function of another module,
#: as a request handler (``app.router.add_get("/", views.index)``) or a GraphQL resolver.
_REG_FLAG = "adc402:reg:"


def _note_registrations(fn: FunctionContext) -> None:
    """Handlers this module registers that another module defines (aiohttp's ``routes.py``)."""
    for kind, arg in _registrations(fn):
        if not isinstance(arg, ast.Name | ast.Attribute):
            continue
        ref = fn.ref(arg)
        if ref is not None and not ref.startswith(f"{fn.module}.") and "()" not in ref:
            _flag(fn, f"{_REG_FLAG}{ref}|{kind}|{int(_imports_lib(fn, _libs(kind)))}")


def _libs(kind: str) -> tuple[str, ...]:
    if kind == "job":
        return _JOB_LIBS
    return _GRAPHQL_LIBS if kind == "resolver" else (*_ASYNC_WEB, *_BOT_LIBS)


#: Calls that register the function given as ``resolver=`` (or second argument) as a GraphQL resolver.
_RESOLVER_REGISTRARS = frozenset({"field", "mutation", "Field", "set_field"})


def _is_web_route_def(fn: FunctionContext, func: ast.expr) -> bool:
    """``web.get`` / ``web.route`` / ``web.view`` of aiohttp (``app.add_routes([web.get("/", h)])``)."""
    value = fn.lib(func)
    return isinstance(value, LibName) and value.name.startswith("aiohttp.web.")


_REGISTERED_CACHE: list[tuple[ast.Module, list[tuple[str, ast.expr]]]] = []


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
    cls = fn.summary.classes.get(info.cls) if info.cls is not None else None
    if cls is not None and node.name in _HTTP_METHODS and any(canonical(b) in _VIEW_BASES for b in cls.bases):
        return _Handler("a class-based view", "request")
    params = [*node.args.posonlyargs, *node.args.args]
    if info.kind == "method" and params:
        params = params[1:]
    first = fn.scope.types.get(params[0].arg) if params else None
    if first is not None and canonical(first.removesuffix("()")) in _REQUEST_TYPES:
        return _Handler("an aiohttp handler", "request")
    if cls is not None and _graphene_resolver(fn, node.name, cls.bases):
        return _Handler("a graphene resolver", "request")
    kind = _registered(fn).get((info.cls is not None, node.name))
    if kind == "handler" and _imports_lib(fn, (*_ASYNC_WEB, *_BOT_LIBS)):
        return _Handler("a request handler", "request")
    if kind == "resolver" and _imports_lib(fn, _GRAPHQL_LIBS):
        return _Handler("a GraphQL resolver", "request")
    if kind == "job" and _imports_lib(fn, _JOB_LIBS):
        return _Handler("a job of a task queue", "job")
    return None


def _graphene_resolver(fn: FunctionContext, name: str, bases: tuple[str, ...]) -> bool:
    """``resolve_<field>`` of a graphene ``ObjectType``, ``mutate`` of a ``Mutation``."""
    graphene = any(canonical(b.removesuffix("()")).startswith("graphene.") for b in bases)
    if name.startswith("resolve_"):
        return graphene or (bool(bases) and _imports_lib(fn, ("graphene",)))
    return graphene and name in ("mutate", "mutate_and_get_payload")


def _per_caller(c: Creation, fn: FunctionContext) -> bool:
    """Whether the client's arguments depend on the request (credentials, a target host...).

    ``httpx.AsyncClient(headers={"Authorization": token})`` with ``token`` from the
    request: one client per caller may be meant, so nothing is reported.
    """
    node = fn.node
    assert isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
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


#: A loop that sleeps this long at every turn (seconds) is a periodic job, minutes apart:
#: HTTP clients keep idle connections for much less (aiohttp 15 s, httpx 5 s), so a client
#: per turn costs one connection set-up per turn either way, once a minute at most.
_PERIOD = 60.0
_SLEEPS = frozenset({"asyncio.sleep", "anyio.sleep", "trio.sleep"})


def _note_paced_loops(fn: FunctionContext) -> None:
    """Loops whose every turn waits for user input, or sleeps for a long while (a periodic
    job), and fallback chains (try each provider until one answers): a client per turn
    costs nothing there."""
    lines = [
        site.line for site in fn.info.calls
        if site.in_loop and _interactive(site.ref.rpartition(".")[2].removesuffix("()"))
    ]
    sleeps = any(site.in_loop and "sleep" in site.ref for site in fn.info.calls)
    if not lines and not sleeps and not any(site.in_loop for site in fn.info.calls):
        return
    for node in fn.walk():
        if not isinstance(node, _LOOP_STMTS):
            continue
        if (any(node.lineno <= ln <= (node.end_lineno or 0) for ln in lines)
                or (sleeps and _periodic(fn, node)) or _fallback_chain(node)):
            flag = f"{_PACED}{fn.info.qualname}|{node.lineno}|{node.end_lineno}"
            if flag not in fn.summary.flags:
                fn.summary.flags.append(flag)


def _fallback_chain(loop: ast.AST) -> bool:
    """``for scraper in scrapers: try: ... break except Error: continue``: each turn tries
    another provider and the loop stops at the first that answers, so one turn does the work."""
    return isinstance(loop, ast.For | ast.AsyncFor) and all(_handles_and_exits(loop))


def _periodic(fn: FunctionContext, loop: ast.AST) -> bool:
    """``while True: ...; await asyncio.sleep(300)``: a sleep of at least ``_PERIOD`` seconds
    at the top level of the loop's body, so on every turn."""
    for stmt in getattr(loop, "body", ()):
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Await)):
            continue
        call = stmt.value.value
        if not isinstance(call, ast.Call) or not call.args or fn.callee(call) not in _SLEEPS:
            continue
        delay = _number(fn, call.args[0])
        if delay is not None and delay >= _PERIOD:
            return True
    return False


def _number(fn: FunctionContext, node: ast.expr) -> float | None:
    """A number written in the code, directly or as a module constant (``INTERVAL = 300``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        left, right = _number(fn, node.left), _number(fn, node.right)
        return left * right if left is not None and right is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        # ``PERIOD - (loop.time() - started)``: the rest of a period of ``PERIOD`` seconds
        return _number(fn, node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "max" and node.args:
        # ``max(period - elapsed, 30)``: at least the largest number it is given
        known = [n for n in (_number(fn, a) for a in node.args) if n is not None]
        return max(known) if known else None
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name):
        values = [
            stmt.value for stmt in fn.module_tree.body
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == node.id
        ]
        if len(values) == 1 and not isinstance(values[0], ast.Name):
            return _number(fn, values[0])
    return None


def _paced_loops(index: ProjectIndex) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for summary in index.summaries:
        for flag in summary.flags:
            if flag.startswith(_PACED):
                qualname, first, last = flag[len(_PACED):].rsplit("|", 2)
                out.setdefault(qualname, []).append((int(first), int(last)))
    return out


# -- helpers awaited by handlers ------------------------------------------------------------------

#: ``adc402:handler:<qualname>|<per>|<what>`` in ``FileSummary.flags``: a request or
#: event handler, for the project stage (a helper it awaits runs once per request).
_HANDLER_FLAG = "adc402:handler:"
#: ``adc402:local:<qualname>|<line>``: a client the function creates on every call that
#: is not one per request even when a handler awaits the function (see
#: :func:`_per_request_helper`).
_LOCAL = "adc402:local:"


def _flag(fn: FunctionContext, flag: str) -> None:
    if flag not in fn.summary.flags:
        fn.summary.flags.append(flag)


def _note_handler(fn: FunctionContext, handler: _Handler, rare: bool) -> None:
    _flag(fn, f"{_HANDLER_FLAG}{fn.info.qualname}|{handler.per}|{handler.what}")
    if rare:
        _flag(fn, f"{_RARE_FLAG}{fn.info.qualname}")


#: ``adc402:rare:<qualname>``: a handler of a route that is rarely asked (see ``_rare_route``).
_RARE_FLAG = "adc402:rare:"

# Words of a function's name for work done rarely: signing in and out, token refresh,
# registration, version and health checks, set-up and administration.
_RARE_NAME = re.compile(
    r"(^|_)(admin|oauth|oidc|login|logout|signin|signout|sign_in|sign_out|log_in|log_out|register|"
    r"registration|refresh_token|token_refresh|refresh_tokens|preflight|jwks|well_known|version|"
    r"versions|health|healthz|healthcheck|health_check|install|uninstall|setup|set_up|configure|"
    r"config|configs|settings)(_|$)"
    # a token fetched or renewed (``get_twitch_bearer_token``, ``_renew_access_token``): it is
    # kept until it expires, so the call is rare even when its caller runs often
    r"|(^|_)(get|fetch|renew|refresh|obtain|acquire|request|new)_(\w+_)?(token|tokens|jwt|credentials)(_|$)"
)
# Segments of a route's path for the same.
_RARE_SEGMENTS = frozenset(
    {"admin", "oauth", "oidc", "login", "logout", "signin", "signout", "register", "version",
     "versions", "health", "healthz", "install", "setup", "config", "configs", "settings",
     ".well-known", "jwks"}
)


def rare_name(qualname: str) -> bool:
    """Whether a function's name says it runs rarely (``_perform_token_refresh``, ``signout``)."""
    return _RARE_NAME.search(qualname.rpartition(".")[2].lower().strip("_")) is not None


def _rare_route(fn: FunctionContext) -> bool:
    """Whether a handler serves a route asked rarely: an administrator's (a dependency or a
    parameter naming ``admin``), or a path or a name for sign-in, set-up, versions, health."""
    node = fn.node
    if not isinstance(node, ast.AsyncFunctionDef):
        return False
    if rare_name(node.name):
        return True
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and deco.args and isinstance(deco.args[0], ast.Constant):
            path = deco.args[0].value
            if isinstance(path, str) and _RARE_SEGMENTS & set(re.split(r"[/_\-{}]+", path.lower())):
                return True
    args = node.args
    for part in (*args.defaults, *args.kw_defaults, *(a.annotation for a in (*args.args, *args.kwonlyargs))):
        if part is not None and any(
            isinstance(n, ast.Name | ast.Attribute) and "admin" in (name_of(n) or "").lower()
            for n in ast.walk(part)
        ):
            return True  # ``user=Depends(get_admin_user)``, ``_: Annotated[User, Depends(require_admin)]``
    return False


#: ``adc402:once:<qualname>|<first line>|<last line>``: code of that function that runs only
#: when something failed (an ``except`` clause) or is missing from state kept across calls
#: (``if self.jwt_key is None:``): a client created from there is not one per call.
_ONCE_FLAG = "adc402:once:"


def _note_once_regions(fn: FunctionContext) -> None:
    if not isinstance(fn.node, ast.AsyncFunctionDef) or not fn.info.calls:
        return
    for node in fn.walk():
        body: list[ast.stmt] = []
        if isinstance(node, ast.ExceptHandler) or (isinstance(node, ast.If) and _missing_state(fn, node.test)):
            body = node.body
        if body:
            _flag(fn, f"{_ONCE_FLAG}{fn.info.qualname}|{body[0].lineno}|{body[-1].end_lineno or body[-1].lineno}")


def _missing_state(fn: FunctionContext, test: ast.expr) -> bool:
    """``self.key is None``, ``not _cache``: a test that something kept across calls is missing."""
    if isinstance(test, ast.BoolOp):
        return isinstance(test.op, ast.Or) and any(_missing_state(fn, v) for v in test.values)
    subject: ast.expr | None = None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        subject = test.operand
    elif (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is | ast.Eq)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        subject = test.left
    root = subject
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    if root is not subject and root.id in ("self", "cls"):
        return True  # an attribute of the object: kept from one call to the next
    # A module's state (``if _jwks is None:``), but not a setting (``if not settings.debug:``).
    return isinstance(test, ast.Compare) and (root.id not in fn.scope.locals or root.id in fn.scope.nonlocal_names)


#: ``adc402:dep:<qualname>|<line>|<ref>``: the function declares the dependency ``ref``
#: (``Depends(get_client)``): FastAPI calls it for every request that reaches the function.
_DEP_FLAG = "adc402:dep:"
#: ``adc402:gen:<qualname>``: an async generator (not an ``@asynccontextmanager``) that yields
#: a new client: a FastAPI dependency, reached through ``Depends()`` only.
_GEN_FLAG = "adc402:gen:"
_FACTORY_FLAG = "adc402:factory:"
_LONG_FLAG = "adc402:long:"
_CONTEXT_MANAGERS = frozenset({"contextlib.asynccontextmanager"})
_DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})


def _note_dependencies(fn: FunctionContext) -> None:
    """``x = Depends(f)``, ``Annotated[X, Depends(f)]``, ``dependencies=[Depends(f)]``."""
    node = fn.node
    if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
        return
    args = node.args
    roots: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    annotations = [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.annotation is not None]
    roots += annotations
    roots += [d for d in node.decorator_list if isinstance(d, ast.Call) and d.keywords]
    aliases = {a.id for a in annotations if isinstance(a, ast.Name)}
    if aliases:
        # ``Sru = Annotated[httpx.AsyncClient, Depends(sru_client)]`` then ``client: Sru``
        roots += [stmt.value for stmt in fn.module_tree.body
                  if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None
                  and isinstance(stmt.value, ast.Subscript)
                  and any(isinstance(t, ast.Name) and t.id in aliases
                          for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]))]
    for root in roots:
        for call in ast.walk(root):
            if not isinstance(call, ast.Call) or name_of(call.func) not in ("Depends", "Security"):
                continue
            value = fn.lib(call.func)
            if not (isinstance(value, LibName) and value.name in _DEPENDS):
                continue
            target = call.args[0] if call.args else next(
                (kw.value for kw in call.keywords if kw.arg == "dependency"), None
            )
            ref = fn.ref(target) if isinstance(target, ast.Name | ast.Attribute) else None
            if ref is not None:
                _flag(fn, f"{_DEP_FLAG}{fn.info.qualname}|{call.lineno}|{ref}")


def _yielded_once(c: Creation, fn: FunctionContext) -> bool:
    """A generator that yields once, inside the client's ``async with`` or before closing it."""
    yields = [n for n in iter_frame(fn.body) if isinstance(n, ast.Yield | ast.YieldFrom)]
    if len(yields) != 1 or isinstance(yields[0], ast.YieldFrom) or c.long_lived or c.used_in_loop:
        return False
    if any(isinstance(n, _LOOP_STMTS) for n in iter_frame(fn.body)):
        return False
    # Not stored anywhere (``app.state.http = client``: a lifespan that yields nothing).
    if c.handle is not None and any(
        isinstance(n, ast.Assign | ast.AnnAssign) and isinstance(n.value, ast.Name) and n.value.id == c.handle
        for n in iter_frame(fn.body)
    ):
        return False
    if c.fate == "with":
        return True
    if c.fate != "handoff" or c.handle is None:
        return False
    value = yields[0].value
    if not (isinstance(value, ast.Name) and value.id == c.handle):
        return False
    # Handed to the ``yield``, and closed after.
    closed = False
    for n in iter_frame(fn.body):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == c.handle
            and n.func.attr in ("close", "aclose", "disconnect", "wait_closed")
        ):
            closed = True
    return closed


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the functions of a project noted for the project stage (see the flags above)."""

    handlers: dict[str, _Handler]
    local: set[tuple[str, int]]
    once: dict[str, list[tuple[int, int]]]
    deps: dict[str, list[CallSite]]
    generators: set[str]
    #: Handlers of routes asked rarely (``_rare_route``).
    rare: set[str]
    #: Functions that return a new client they have just made (``_factory_made``).
    factories: set[str]
    #: Async functions that keep a connection for a long exchange (a websocket, a ``while``).
    long: set[str]


def _project_facts(index: ProjectIndex) -> _Facts:
    handlers: dict[str, _Handler] = {}
    rare: set[str] = set()
    local: set[tuple[str, int]] = set()
    once: dict[str, list[tuple[int, int]]] = {}
    deps: dict[str, list[CallSite]] = {}
    generators: set[str] = set()
    factories: set[str] = set()
    long: set[str] = set()
    registered: dict[str, _Handler] = {}
    for summary in index.summaries:
        for flag in summary.flags:
            if not flag.startswith("adc402:"):
                continue
            if flag.startswith(_REG_FLAG):
                # The module that registers the function, or the one that defines it,
                # must import the framework.
                ref, kind, imports = flag[len(_REG_FLAG):].rsplit("|", 2)
                value = index.evaluate(ref)
                entry = index.functions.get(value.qualname) if isinstance(value, PFunc) else None
                if entry is None or not (
                    imports == "1"
                    or any(v.partition(".")[0] in _libs(kind) for v in entry[1].symbols.values() if v)
                ):
                    continue
                if _registered_handler(entry[0], entry[1].module):
                    what = {"resolver": "a GraphQL resolver registered", "job": "a job registered"}.get(
                        kind, "registered")
                    per = "job" if kind == "job" else "request"
                    registered.setdefault(entry[0].qualname, _Handler(f"{what} in {summary.module}", per))
            elif flag.startswith(_DEP_FLAG):
                qualname, line, ref = flag[len(_DEP_FLAG):].split("|", 2)
                n = int(line)
                deps.setdefault(qualname, []).append(CallSite(ref, n, 0, n, 0, Usage.AWAITED))
            elif flag.startswith(_GEN_FLAG):
                generators.add(flag[len(_GEN_FLAG):])
            elif flag.startswith(_FACTORY_FLAG):
                factories.add(flag[len(_FACTORY_FLAG):])
            elif flag.startswith(_LONG_FLAG):
                long.add(flag[len(_LONG_FLAG):])
            elif flag.startswith(_HANDLER_FLAG):
                qualname, per, what = flag[len(_HANDLER_FLAG):].split("|", 2)
                handlers[qualname] = _Handler(what, per)
            elif flag.startswith(_RARE_FLAG):
                rare.add(flag[len(_RARE_FLAG):])
            elif flag.startswith(_LOCAL):
                qualname, _, line = flag[len(_LOCAL):].rpartition("|")
                local.add((qualname, int(line)))

            elif flag.startswith(_ONCE_FLAG):
                qualname, first, last = flag[len(_ONCE_FLAG):].rsplit("|", 2)
                once.setdefault(qualname, []).append((int(first), int(last)))
    for qualname, handler in registered.items():
        handlers.setdefault(qualname, handler)
    return _Facts(handlers, local, once, deps, generators, rare, factories, long)


def _registered_handler(info: FuncInfo, module: str) -> bool:
    """Whether a function registered as a handler by another module runs once per request."""
    if not info.is_async or info.is_generator or is_test_module(module):
        return False
    name = info.name
    if name in _ONCE or any(w in name.lower() for w in ("startup", "shutdown", "lifespan")):
        return False
    return not any(part.startswith("test") for part in info.qualname.split("."))


# A factory's docstring that says each caller gets a client of its own on purpose.
_ONE_OFF = re.compile(r"(?i)\bone[- ]off\b|\bfresh (client|session)\b|\bmust not (use|share)\b")


def _made_for_caller(c: Creation, fn: FunctionContext) -> bool:
    """A factory's client built from its arguments (a host, credentials), a fallback for a
    client the caller may pass, or one that talks to the application in-process: one per
    caller may be meant."""
    args = getattr(fn.node, "args", None)
    return (isinstance(args, ast.arguments) and _fallback(c, fn, args)) or _in_process(c) or _per_caller(c, fn)


def _factory_made(c: Creation, fn: FunctionContext) -> bool:
    """Whether the function returns the shareable client it has just made, uncached."""
    if not (_flagged_kind(c) and c.fate == "handoff") or _memoised(c, fn) or any(
            _caching(d) for d in fn.info.decorators) or not returned_fresh(fn, c):
        return False
    # Only returned, not set up first (``session.headers[...] = ...`` makes it the caller's own).
    return c.handle is None or all(
        isinstance(fn.parent(n), ast.Return) for n in iter_frame(fn.body)
        if isinstance(n, ast.Name) and n.id == c.handle and isinstance(n.ctx, ast.Load))


def _per_request_helper(c: Creation, fn: FunctionContext) -> bool:
    """Whether a client a helper creates on every call is one per request when a handler awaits it.

    Not when it is built from the helper's arguments (credentials, a target host: one
    client per caller may be meant), talks to the application in-process, serves a
    stream or a long exchange (as for a client created in the handler itself), or is
    a fallback for a client the caller may pass (``if client is None:``).
    """
    node = fn.node
    if not isinstance(node, ast.AsyncFunctionDef):
        return False
    if any(isinstance(n, ast.AsyncFor | ast.While) for n in iter_frame(fn.body)):
        return False
    if _fallback(c, fn, node.args):
        return False
    return not (_in_process(c) or _per_caller(c, fn))


def _fallback(c: Creation, fn: FunctionContext, args: ast.arguments) -> bool:
    """``if session is None: session = ClientSession()``, ``client or httpx.AsyncClient()``."""
    params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}

    def missing(test: ast.expr) -> bool:
        if isinstance(test, ast.BoolOp):
            return any(missing(v) for v in test.values)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return isinstance(test.operand, ast.Name) and test.operand.id in params
        return (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id in params
            and isinstance(test.ops[0], ast.Is | ast.Eq)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None
        )

    def given(test: ast.expr) -> bool:
        return (isinstance(test, ast.Name) and test.id in params) or (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id in params
            and isinstance(test.ops[0], ast.IsNot | ast.NotEq)
        )

    child: ast.AST = c.call
    parent = fn.parent(child)
    while parent is not None and parent is not fn.node:
        if isinstance(parent, ast.If | ast.IfExp):
            body = parent.body if isinstance(parent, ast.If) else [parent.body]
            in_body = any(child is b for b in body)
            if (in_body and missing(parent.test)) or (not in_body and child is not parent.test and given(parent.test)):
                return True
        elif isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or):
            before = parent.values[: next((i for i, v in enumerate(parent.values) if v is child), 0)]
            if any(isinstance(v, ast.Name) and v.id in params for v in before):
                return True
        child, parent = parent, fn.parent(parent)
    return False


def _caching(decorator: str) -> bool:
    """``functools.lru_cache``, ``async_lru.alru_cache``, ``aiocache.cached``, ``memoize``..."""
    tail = decorator.removesuffix("()").rpartition(".")[2]
    return any(w in ("cache", "cached", "memoize", "memoized", "memoise", "memoised") for w in _words(tail))


def _memoised(c: Creation, fn: FunctionContext) -> bool:
    """Whether the client is created once, not on every call of its function.

    The function is memoised (``@alru_cache``), or it keeps what the client fetched
    in state that outlives the call (``self._token``, a ``global``) and creates the
    client only when that state is missing or stale: under ``if self._token is None:``,
    or after ``if self._token and not expired: return self._token``.
    """
    if any(_caching(d) for d in fn.info.decorators):
        return True
    state: set[str] = set()
    for n in fn.walk():
        if isinstance(n, ast.Global | ast.Nonlocal):
            state.update(n.names)
        elif (
            isinstance(n, ast.Attribute)
            and isinstance(n.ctx, ast.Store)
            and isinstance(n.value, ast.Name)
            and n.value.id in ("self", "cls")
        ):
            state.add(f"{n.value.id}.{n.attr}")
    if not state:
        return False

    def reads(test: ast.expr) -> bool:
        for n in ast.walk(test):
            if isinstance(n, ast.Name) and n.id in state:
                return True
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and f"{n.value.id}.{n.attr}" in state:
                return True
        return False

    node: ast.AST = c.call
    p = fn.parent(node)
    while p is not None and p is not fn.node:
        if isinstance(p, ast.If) and reads(p.test):
            return True
        node, p = p, fn.parent(p)
    for stmt in fn.body:
        if stmt is node:
            break
        if isinstance(stmt, ast.If) and reads(stmt.test) and any(isinstance(n, ast.Return) for n in ast.walk(stmt)):
            return True
    return False


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


def _handler_advice(key: str, res: kb.Resource, handler: _Handler) -> str:
    if res.kind == "connection":
        return "create a pool once, at start-up, and acquire connections from it"
    noun = "pool" if res.kind == "pool" else ("session" if key.endswith("Session") else "client")
    if handler.per == "event":
        where = "when the bot starts (or lazily, in a module-level or bot attribute)"
    elif handler.per in ("job", "message"):
        where = "when the worker starts (in its startup hook, kept in its context or state)"
    else:
        where = "at start-up (in the lifespan or a startup hook, kept in the application state)"
    return f"create one {noun} {where} and reuse it: it keeps connections alive and pools them"


def _handler_message(c: Creation, fn: FunctionContext, handler: _Handler) -> str:
    what = ctor_display(c.key, c.res)
    verb = "opened" if c.res.kind == "connection" else "created"
    name = fn.info.name
    advice = _handler_advice(c.key, c.res, handler)
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
    Pyrogram `@app.on_message(...)`), and GraphQL resolvers (Strawberry
    `@strawberry.field` and `@strawberry.mutation` methods, functions given
    as `strawberry.field(resolver=...)`, graphene `resolve_*` methods and
    `Mutation.mutate`, ariadne `@query.field("...")` and
    `set_field("...", f)`), and the jobs of task queues and message brokers,
    which run once per job or message (arq's `WorkerSettings.functions`,
    also through `func(f, ...)`; saq's `functions` list or setting; taskiq
    `@broker.task`; FastStream `@broker.subscriber(...)`). A decorator on an object imported from
    another module counts when its module imports the framework: a route
    path (`@app.get("/items")`) for web frameworks, the handler's name for
    bots; so does a function of another module registered by name
    (`app.router.add_get("/", views.index)` in aiohttp's `routes.py`).

    An `async def` helper that creates a client on every call is reported
    too when a handler awaits it, directly or through up to three other
    `async def` helpers, or depends on it (FastAPI's `Depends(helper)`,
    `Annotated[..., Depends(helper)]`, `dependencies=[...]`, and the
    dependencies of those): every request creates a client. So is a factory,
    sync or async, that returns a new client (`def rating_client(): return
    httpx.AsyncClient(base_url=RATING)`, then `async with rating_client() as
    c:` in a route; not when a loop calls it, which may fill a list of
    clients kept for later, nor when its docstring says each use gets a
    fresh one on purpose, "one-off"), and a hook run before every request
    (Quart's `@app.before_request`, Sanic's `@app.on_request`) that opens a
    connection and keeps it for the request (`g.db = await
    asyncpg.connect(DSN)`). A message broker's connection opened per
    message or per request (`aio_pika.connect_robust()`, `nats.connect()`)
    counts like a database connection. So is an
    `@asynccontextmanager` that yields a new client (`async with
    upstream() as session:` in a route, or in a loop), and a FastAPI
    dependency that yields a new client (`async def get_client(): async with
    httpx.AsyncClient() as c: yield c`, also through a type alias `Client =
    Annotated[httpx.AsyncClient, Depends(get_client)]`): `yield` is FastAPI's
    way to give each request a resource of its own (a session from a shared
    engine), but a new client or pool is not one. Not
    reported this way: helpers called only at start-up or from scripts,
    memoised helpers (`@alru_cache`, `@cached`...) and helpers that keep
    what they fetched (`if self._token is None:`, `global _jwks`), calls
    made only when such state is missing (`if self.key is None: await
    self._fetch_key()`) or in an `except` clause (a fallback, a report of
    a failure), clients built from the helper's arguments (one per
    caller), created only when the caller passes none (`if client is
    None:`), kept for a stream, or in-process.

    Not reported in handlers: startup, shutdown and lifespan functions,
    handlers of events that happen once (`on_ready`, `setup_hook`, hikari's
    `StartedEvent`), clients built from the request (credentials, a target
    host: `httpx.AsyncClient(headers={"Authorization": token})`, where
    `token` comes from the handler's parameters, though not
    `request.app[...]`, which the application holds), in-process clients
    (`transport=ASGITransport(app)`), clients built on a connection pool
    made elsewhere (`httpx.AsyncClient(transport=_shared_transport)`,
    `ClientSession(connector=app.connector, connector_owner=False)`: no new
    connection), handlers that keep the client for a loop, a stream or a
    websocket (`session.ws_connect(...)`: one session for the socket's
    life, also across reconnects), Flask views (each runs in an event loop of its own),
    CLI commands (`@cli.command()` of typer or click) and test code.
    Shown with `--preview` only: a client for the whole life of a websocket
    connection, and routes asked rarely, where a maintainer would not pay
    for a shared client: an administrator's (a dependency or a parameter
    naming `admin`, `Depends(get_admin_user)`), sign-in and sign-out, token
    refresh, registration, version and health checks, set-up and
    configuration (by the handler's or a helper's name, or a segment of the
    route's path: `/auth/login`, `/admin/...`, `/configs/...`).

    Not reported: clients stored or handed on in the loop (one client per
    host, kept in a dict), clients whose arguments change with the loop
    (`httpx.AsyncClient(base_url=host)`), fallback chains that stop at the
    first provider that answers (a `try` and a `break` or `return` in a
    `for` loop, also around a helper's call), retry, polling and reconnect loops
    (a `while` loop whose `try:` guards the creation, or that `return`s or
    `break`s, a loop over `range()` that `return`s or `break`s, a loop that
    catches exceptions and `return`s or `break`s), `while` loops that keep
    the client for an inner loop (a websocket, a stream, a batch), helpers
    that use the client in a loop of their own (a batch per call), keep it
    for a long exchange (`while`, `async for msg in ws`) or hand it to a
    call awaited as a statement of its own (`await bot.run(session)`, maybe
    a long-running job), loops that wait for someone to type at every turn
    (`await prompt.prompt_async()`, `input()`: a console chat), periodic
    jobs that sleep a minute or more at every turn (`await
    asyncio.sleep(300)`, `await asyncio.sleep(PERIOD - elapsed)`: HTTP
    clients drop idle connections much sooner, so sharing one saves
    nothing), generators, synchronous code, and coroutines run with
    `asyncio.run()` or `loop.run_until_complete()` in a loop or in a helper
    such a loop calls (each run has its own event loop, and a client cannot
    outlive its loop).

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

    sync_functions = True  # for the module body, which may register handlers of other modules

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        if not fn.is_async:
            if fn.info.kind == "module":
                _note_registrations(fn)
            elif not fn.info.is_generator:
                self._note_factory(fn)
            return
        _note_paced_loops(fn)
        _note_once_regions(fn)
        if _long_lived(fn.body):
            _flag(fn, f"{_LONG_FLAG}{fn.info.qualname}")
        _note_dependencies(fn)
        handler = _handler(fn)
        rare = handler is not None and _rare_route(fn)
        if handler is not None:
            _note_handler(fn, handler, rare)
        creations = analyse(fn)
        if not creations:
            return
        for c in creations:
            if fn.info.is_generator and c.loop is None and _flagged_kind(c) and _yielded_once(c, fn):
                # An ``@asynccontextmanager`` or a FastAPI dependency that yields a new client.
                r = fn.report(self.code, c.call, "")
                fn.info.creates.append((c.key, r.line, r.col, r.end_line, r.end_col))
                if not any(d.removesuffix("()") in _CONTEXT_MANAGERS for d in fn.info.decorators):
                    _flag(fn, f"{_GEN_FLAG}{fn.info.qualname}")
                if not _per_request_helper(c, fn):
                    _flag(fn, f"{_LOCAL}{fn.info.qualname}|{r.line}")
                continue
            if c.loop is None and handler is None and not fn.info.is_generator and _factory_made(c, fn):
                if not _made_for_caller(c, fn):
                    self._note_created(fn, c)
                    _flag(fn, f"{_FACTORY_FLAG}{fn.info.qualname}")
                continue
            if shares_pool(c, fn):
                continue  # a client on a pool made elsewhere costs no connection
            if not _flagged_kind(c) or not (
                c.fate in _PER_RUN or (c.fate == "idle" and c.key in _ATTRIBUTE_CLIENTS)
                or (c.fate == "request" and handler is not None and c.loop is None)
            ):
                continue
            if c.loop is None:
                if handler is not None:
                    if _per_request(c, fn, handler):
                        r = fn.report(self.code, c.call, _handler_message(c, fn, handler))
                        # A route asked rarely, or one client for a websocket's whole life:
                        # a maintainer shrugs at the cost of a client there (--preview).
                        r.preview = handler.per == "connection" or rare
                        yield r
                    continue
                if c.fate == "idle":
                    continue
                if not (fn.info.is_generator or c.used_in_loop or c.long_lived or c.borrowed or _memoised(c, fn)):
                    r = fn.report(self.code, c.call, "")
                    fn.info.creates.append((c.key, r.line, r.col, r.end_line, r.end_col))
                    if not _per_request_helper(c, fn):
                        _flag(fn, f"{_LOCAL}{fn.info.qualname}|{r.line}")
                continue
            if _loop_dependent(c) or _retry_like(c, fn) or (c.loop is not None and _periodic(fn, c.loop)):
                continue  # (a periodic job: one client per turn, minutes apart, costs nothing)
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

    def _note_factory(self, fn: FunctionContext) -> None:
        """A sync factory that returns a new client (``def rating() -> AsyncClient: return
        httpx.AsyncClient(...)``): every caller gets one, so it creates one per call."""
        for c in analyse(fn):
            if c.loop is None and _factory_made(c, fn) and not _made_for_caller(c, fn):
                doc = ast.get_docstring(fn.node) if isinstance(fn.node, ast.FunctionDef) else None
                if doc and _ONE_OFF.search(doc):
                    return  # documented as a fresh client for each use, on purpose
                self._note_created(fn, c)
                _flag(fn, f"{_FACTORY_FLAG}{fn.info.qualname}")

    def _note_created(self, fn: FunctionContext, c: Creation) -> None:
        r = fn.report(self.code, c.call, "")
        fn.info.creates.append((c.key, r.line, r.col, r.end_line, r.end_col))

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        # Functions that create a client on every call: directly (``creates``), or by
        # calling such a function (a wrapper taking a semaphore, a retry helper...).
        # qualname -> creating function -> the shortest chain of qualnames from the
        # first down to the creating function, both included.
        reach: dict[str, dict[str, tuple[str, ...]]] = {}
        for info, _summary in index.iter_functions():
            if info.creates:
                reach[info.qualname] = {info.qualname: (info.qualname,)}
        if not reach:
            return
        facts = _project_facts(index)

        def run_once(info: FuncInfo, site: CallSite) -> bool:
            return any(a <= site.line <= b for a, b in facts.once.get(info.qualname, ()))

        def callee_of(site: CallSite, names: frozenset[str]) -> str | None:
            callee = self._callee(index, site.ref, names, reach)
            # A dependency generator creates its client when FastAPI resolves ``Depends()``.
            return None if callee in facts.generators else callee

        for _ in range(_MAX_DEPTH):
            names = frozenset(q.rpartition(".")[2] for q in reach)
            added: dict[str, dict[str, tuple[str, ...]]] = {}
            for info, _summary in index.iter_functions():
                if info.kind == "module" or any(_caching(d) for d in info.decorators):
                    continue  # a memoised wrapper runs its body once, not on every call
                own = reach.get(info.qualname, {})
                for site in info.calls:
                    if site.ref.rpartition(".")[2] not in names:
                        continue  # (the cheap test first: most calls name no creating function)
                    callee = callee_of(site, names)
                    if callee is None or run_once(info, site) or _run_in_new_loop(index, info, site):
                        continue  # (each ``asyncio.run()`` has its own loop, and needs its own client)
                    if callee in facts.factories and (not info.is_async or info.qualname in facts.long):
                        continue  # a sync caller may keep what it returns (a cache); a websocket needs its own
                    for origin, chain in reach[callee].items():
                        if info.qualname in chain:
                            continue  # recursion
                        known = added.get(info.qualname, {}).get(origin) or own.get(origin)
                        if known is None or len(chain) + 1 < len(known):
                            added.setdefault(info.qualname, {})[origin] = (info.qualname, *chain)
            if not added:
                break
            for qualname, origins in added.items():
                reach.setdefault(qualname, {}).update(origins)
        names = frozenset(q.rpartition(".")[2] for q in reach)
        # For each creating function, the shortest chain from a loop that calls it.
        best: dict[str, tuple[tuple[str, ...], str]] = {}
        paced = _paced_loops(index)
        for info, _summary in index.iter_functions():
            for site in info.calls:
                if not site.in_loop or site.ref.rpartition(".")[2] not in names:
                    continue
                if any(a <= site.line <= b for a, b in paced.get(info.qualname, ())):
                    continue  # a loop that waits for a person at every turn
                callee = callee_of(site, names)
                if callee is None or run_once(info, site) or callee in facts.factories:
                    # (a factory called in a loop may fill a list of clients kept for later)
                    continue
                if _run_in_new_loop(index, info, site):
                    continue  # each asyncio.run() has its own event loop: a client per run is needed
                for origin, chain in reach[callee].items():
                    if info.qualname in chain:
                        continue  # recursion
                    old = best.get(origin)
                    if old is None or len(chain) < len(old[0]):
                        best[origin] = (chain, f"{index.path_of(info.qualname)}:{site.line}")
        for chain, where in best.values():
            yield from self._report(index, chain, where)
        if not facts.handlers:
            return
        # For each creating function not reported for a loop, the shortest chain from a
        # handler: through the calls of the handler, of the dependencies FastAPI resolves
        # for it (``Depends()``, transitively), and of the helpers they call.
        found: dict[str, tuple[tuple[str, ...], _Handler, str, str]] = {}

        def consider(chain: tuple[str, ...], handler: _Handler, verb: str, where: str) -> None:
            origin = chain[-1]
            if origin in best or len(set(chain)) < len(chain):
                return
            steps = chain[1:-1] if chain[-1] in facts.factories else chain[1:]
            if not all(index.functions[q][0].is_async for q in steps):
                return  # a synchronous step: ``asyncio.run()`` in a thread, a script...
            old = found.get(origin)
            if old is None or len(chain) < len(old[0]):
                found[origin] = (chain, handler, verb, where)

        for qualname, handler in facts.handlers.items():
            if qualname not in index.functions:
                continue
            # (function run for the request, the chain from the handler to it, how the handler
            # reaches it: "awaits" / "calls" / "depends on", and where)
            todo: list[tuple[str, tuple[str, ...], str, str]] = [(qualname, (qualname,), "", "")]
            seen = {qualname}
            while todo:
                current, path, verb, where = todo.pop()
                info = index.functions[current][0]
                for tail in reach.get(current, {}).values():
                    if current != qualname:
                        consider((*path[:-1], *tail), handler, verb, where)
                    elif tail == (qualname,):
                        consider(tail, handler, "", "")  # registered by another module: not known before
                for site in info.calls:
                    callee = callee_of(site, names)
                    if callee is None or run_once(info, site) or _run_in_new_loop(index, info, site):
                        continue
                    if callee in facts.factories and (not info.is_async or current in facts.long):
                        continue  # (as above: a cache, or a websocket's own client)
                    here = f"{index.path_of(current)}:{site.line}"
                    step_verb = verb or ("awaits" if site.usage == Usage.AWAITED else "calls")
                    for tail in reach[callee].values():
                        consider((*path, *tail), handler, step_verb, where or here)
                if len(path) > _MAX_DEPTH:
                    continue
                for site in facts.deps.get(current, ()):
                    value = index.evaluate(site.ref)
                    if isinstance(value, PFunc) and value.qualname in index.functions and value.qualname not in seen:
                        seen.add(value.qualname)
                        here = f"{index.path_of(current)}:{site.line}"
                        todo.append((value.qualname, (*path, value.qualname), verb or "depends on", where or here))
        for chain, handler, verb, where in found.values():
            yield from self._handler_report(index, chain, handler, verb, where, facts)

    def _handler_report(self, index: ProjectIndex, chain: tuple[str, ...], handler: _Handler,
                        verb: str, where: str, facts: _Facts) -> Iterator[ProjectReport]:
        helper, summary = index.functions[chain[-1]]
        shown = [f"`{display_name(index, PFunc(q))}()`" for q in chain]
        # A dependency with ``yield`` is FastAPI's way to give each request a resource of
        # its own (a database session from a shared engine); a new client or pool is not
        # such a resource (its connections and TLS sessions die with the request): reported
        # like a client made in the handler.
        preview = False
        # A route asked rarely (sign-in, set-up, an administrator's), a helper named for rare
        # work (a token refresh) or one client for a websocket's whole life: a maintainer
        # shrugs at the cost of a client there (shown with --preview).
        preview = preview or chain[0] in facts.rare or handler.per == "connection" or any(
            rare_name(q) for q in chain[1:])
        if len(chain) == 1:  # a handler registered by another module
            how = f"for every {handler.per} handled by {shown[0]} ({handler.what})"
        else:
            how = f"{'by the dependency' if helper.qualname in facts.generators else 'on every call of'} {shown[-1]}, "
            if len(shown) > 2:
                how += f"called by {' <- '.join(reversed(shown[1:-1]))}, "
            role = {"request": "request handler", "event": "event handler"}.get(handler.per, "handler")
            how += f"which the {role} {shown[0]} ({handler.what}) {verb} at {where}, so one for every {handler.per}"
        for key, line, col, end_line, end_col in helper.creates:
            res = kb.RESOURCES.get(key)
            if res is None or (helper.qualname, line) in facts.local:
                continue
            what = ctor_display(key, res)
            made = "opened" if res.kind == "connection" else "created"
            message = f"a new {what} is {made} {how}: {_handler_advice(key, res, handler)}"
            yield ProjectReport(summary.path, self.code, line, col, end_line, end_col, message, preview=preview)

    @staticmethod
    def _callee(index: ProjectIndex, ref: str, names: frozenset[str],
                reach: dict[str, dict[str, tuple[str, ...]]]) -> str | None:
        if ref.rpartition(".")[2] not in names:
            return None
        value = index.evaluate(ref)
        if isinstance(value, PFunc) and value.qualname in reach:
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
        rare = any(rare_name(q) for q in chain)  # a token refresh in a loop still runs rarely
        for key, line, col, end_line, end_col in helper.creates:
            res = kb.RESOURCES.get(key)
            if res is None:
                continue
            what = ctor_display(key, res)
            verb = "opened" if res.kind == "connection" else "created"
            message = f"a new {what} is {verb} on {how}: {_advice(key, res, 'in the caller, pass it in')}"
            yield ProjectReport(summary.path, self.code, line, col, end_line, end_col, message, preview=rare)
