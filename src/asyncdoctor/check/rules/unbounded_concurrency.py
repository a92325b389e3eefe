"""ADC502 unbounded-concurrency.

Two stages. Per file (:meth:`UnboundedConcurrency.check_function`):

* every ``async def`` records whether it acquires a limiter
  (``FuncInfo.uses_limiter``) and whether it sends requests or opens
  connections itself (``FuncInfo.does_io``);
* every fan-out over data (``asyncio.gather(*[f(x) for x in data])``,
  ``asyncio.wait``/``as_completed`` of such a collection, ``create_task`` /
  ``start_soon`` in a loop over data) with no limiter in sight is written
  down in ``FuncInfo.fanouts`` with the references of the spawned callables.

In the project stage (:meth:`UnboundedConcurrency.check_project`) each
recorded site is reported when what it spawns does I/O (directly, or
through the project's async functions it awaits, in any module) and nothing
it awaits acquires a limiter; by default only when it sends a request on
every call and the collection holds data that grows with the input.

This module also holds what ADC501 shares: which calls send a request
(:func:`network_lib`, :func:`network_call`), the ``net`` tag of the
functions that send one themselves (kept in ``FuncInfo.fanouts`` too), and
:func:`reaches_network`.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Iterator

from .. import _knowledge as kb
from .._analysis import TEMPLATE_STRINGS, FunctionContext, Report, Usage, cached_return
from .._index import PFunc, ProjectIndex, ProjectReport, Value
from .._refs import LibMethod, LibName, LibObject, in_table, lib_mro
from ._base import Rule, register
from ._ownership import iter_frame
from ._util import in_test_code, short_source

_GATHERERS = {"asyncio.gather": "starts", "asyncio.wait": "runs", "asyncio.as_completed": "runs"}
_SPAWNERS = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
_SPAWN_ATTRS = frozenset({"create_task", "ensure_future", "start_soon"})
_FANOUT_TAILS = frozenset({"gather", "wait", "as_completed", *_SPAWN_ATTRS})
_WRAPPERS = frozenset({"asyncio.wait_for", "asyncio.shield", "asyncio.timeout"})

# A limiter by its name: ``self._sem``, ``limiter``, ``rate_limit``, ``throttler``...
_LIMITER_NAME = re.compile(
    r"(?i)(?:^|_)(?:sem|sema|semaphore|limit|limits|limiter|throttle|throttler|ratelimit|"
    r"capacity|bulkhead|slots)(?:$|_)|semaphore|limiter|throttl"
)
# A lock serialises what it guards: bounded too.
_LOCK_NAME = re.compile(r"(?i)(?:^|_)(?:lock|mutex)$")
_LOCK_TYPES = frozenset({"asyncio.Lock", "anyio.Lock", "trio.Lock"})
# A wrapper that bounds the coroutine it is given: ``bounded(fetch(u))``, ``with_semaphore(...)``.
_WRAPPER_NAME = re.compile(r"(?i)bound|limit|throttl|semaphore|(?:^|_)sem(?:$|_)|gated|guarded")
# Iterables that are small by construction.
_BOUNDED_ITERS = frozenset({"islice", "batched", "chunked", "chunks", "take", "head"})
_ITER_WRAPPERS = frozenset({"enumerate", "zip", "sorted", "reversed", "list", "tuple", "set", "iter", "filter"})
_SMALL = 32

# Library calls that send a request or open a connection, a process or a file.
_HTTP_VERBS = frozenset({"request", "get", "options", "head", "post", "put", "patch", "delete"})
_HTTP_CLIENTS = frozenset({"aiohttp.ClientSession", "httpx.AsyncClient"})
_IO_FUNCTIONS = frozenset(
    {
        "aiohttp.request",
        "asyncio.open_connection",
        "asyncio.open_unix_connection",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
        "asyncio.AbstractEventLoop.create_connection",
        "asyncio.AbstractEventLoop.create_unix_connection",
        "asyncio.AbstractEventLoop.sock_connect",
        "asyncio.AbstractEventLoop.subprocess_exec",
        "asyncio.AbstractEventLoop.subprocess_shell",
        "aiohttp.ClientSession.ws_connect",
        "httpx.AsyncClient.send",
        "httpx.AsyncClient.stream",
        "websockets.connect",
        "asyncpg.connect",
        "asyncpg.create_pool",
        "aiosqlite.connect",
        "aiomysql.connect",
        "psycopg.AsyncConnection.connect",
        "aiofiles.open",
        "anyio.connect_tcp",
        "anyio.connect_unix",
        "anyio.open_process",
        "anyio.run_process",
        "anyio.open_file",
        "trio.open_tcp_stream",
        "trio.run_process",
        "trio.open_file",
    }
)
_REDIS = "redis.asyncio.Redis"
# What a fan-out's coroutines do themselves, as recorded: send requests, or other I/O.
_NETWORK_IO, _OTHER_IO = 2, 1
_REDIS_NOT_IO = frozenset({"close", "aclose", "pipeline", "pubsub", "lock", "initialize"})
# ``session.get(url)`` with ``session`` of unknown type: an HTTP client by its name.
_CLIENT_NAME = re.compile(r"(?i)(?:^|_)(?:session|client|http|https|httpx|aiohttp|api|api_client)$|(?:session|client)$")


_CLOUD_OPERATION = re.compile(
    r"(?:put|get|delete|copy|head|upload|download|list)_(?:object|objects|objects_v2|item|items"
    r"|file|fileobj|blob|blobs)$|send_message$|send_message_batch$|batch_write_item$"
)


# -- network I/O: the evidence ADC501 and ADC502 need for a default finding ------------

#: Libraries whose coroutines talk to another machine (HTTP, databases, brokers, SDKs).
_NET_ROOTS = frozenset(
    {
        "aiohttp", "httpx", "websockets", "asyncpg", "redis", "aiomysql", "psycopg", "motor",
        "pymongo", "sqlalchemy", "openai", "anthropic", "aiobotocore", "elasticsearch",
        "aiomqtt", "aiokafka", "aio_pika", "aiosmtplib", "asyncssh", "telegram", "discord",
        "aiogram", "asyncua", "gidgethub", "nats", "qdrant_client", "web3", "zeep",
    }
)
#: The standard library's (and anyio's, trio's) ways of reaching another host.
_NET_FUNCTIONS = frozenset(
    {
        "asyncio.open_connection",
        "asyncio.AbstractEventLoop.create_connection",
        "asyncio.AbstractEventLoop.sock_connect",
        "asyncio.AbstractEventLoop.getaddrinfo",
        "anyio.connect_tcp",
        "anyio.getaddrinfo",
        "trio.open_tcp_stream",
    }
)
#: Methods of those libraries that are no request of their own: closing, pool and
#: life-cycle bookkeeping, reading the body of a response already asked for.
_NOT_REQUESTS = frozenset(
    {
        "close", "aclose", "wait_closed", "wait_for_close", "acquire", "release", "start",
        "stop", "ping", "pong", "initialize", "reset", "flush", "cancel", "aread", "read",
        "json", "text", "getone", "getmany", "consume",
    }
)
#: Streams, websockets and subscriptions: one channel read and written in order, no
#: request of their own.
_CHANNELS = frozenset(
    {
        "aiohttp.ClientWebSocketResponse",
        "websockets.asyncio.client.ClientConnection",
        "websockets.legacy.client.WebSocketClientProtocol",
        "redis.asyncio.client.PubSub",
    }
)
#: Types that serve one operation at a time: a query on one of them is a request, but a
#: shared one (not acquired or opened for the call) cannot run queries concurrently.
SERIAL_CONNECTIONS = frozenset(
    {
        "asyncpg.Connection",
        "asyncpg.transaction.Transaction",
        "asyncpg.prepared_stmt.PreparedStatement",
        "aiomysql.Connection",
        "aiomysql.Cursor",
        "psycopg.AsyncConnection",
        "psycopg.AsyncCursor",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.AsyncConnection",
        "redis.asyncio.client.Pipeline",
        "redis.asyncio.client.PubSub",
        "websockets.asyncio.client.ClientConnection",
        "websockets.legacy.client.WebSocketClientProtocol",
        "aiohttp.ClientWebSocketResponse",
    }
)
#: Reference segments that open or take a connection for the call itself.
_PER_CALL = re.compile(r"(?:^|\.)(?:acquire|connect|begin|cursor|transaction|pipeline)\(\)|__enter__\(\)")


def network_lib(value: object, ref: str | None = None) -> bool:
    """Whether a library callable sends a request to another machine and waits for it.

    A query on one connection, cursor or session counts only when the reference shows it
    was opened or acquired for the call (``pool.acquire().__enter__().fetch``).
    """
    if isinstance(value, LibName):
        name = value.name
        if name.startswith("?"):
            return False
        if name in _NET_FUNCTIONS:
            return True
        return (name.partition(".")[0] in _NET_ROOTS and name in kb.COROUTINE_FUNCTIONS
                and name.rpartition(".")[2] not in _NOT_REQUESTS)
    if isinstance(value, LibMethod):
        if value.attr in _NOT_REQUESTS or value.attr.startswith("_"):
            return False
        mro = lib_mro(value.type)
        if any(t in _CHANNELS for t in mro):
            return False
        for t in mro:
            key = f"{t}.{value.attr}"
            if key in _NET_FUNCTIONS:
                return True
            if t.partition(".")[0] in _NET_ROOTS and key in kb.COROUTINE_FUNCTIONS:
                if any(m in SERIAL_CONNECTIONS for m in mro):
                    return ref is not None and _PER_CALL.search(ref) is not None
                return True
    return False


def network_call(fn: FunctionContext, call: ast.Call) -> bool:
    """Whether a call sends a request: a known client's method, or one by its names
    (``self.session.get(url)``, ``client.post(...)``, ``s3.put_object(...)``)."""
    value = fn.lib(call.func)
    if value is not None and not (isinstance(value, LibName) and value.name.startswith("?")):
        return network_lib(value, fn.ref(call.func))
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in _HTTP_VERBS or func.attr == "fetch":
        receiver = _tail(func.value)
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Name | ast.Attribute) and (_tail(first) or "")[:1].isupper():
            return False  # ``session.get(User, 1)``: an ORM session, one query at a time
        return receiver is not None and _CLIENT_NAME.search(receiver) is not None and bool(
            call.args or call.keywords)
    return _CLOUD_OPERATION.match(func.attr) is not None


#: The entry a function's ``FuncInfo.fanouts`` holds when it sends requests itself
#: (found by the names of its receivers, or by their types): ``[NET_TAG, sure, writes,
#: missed]``, where ``sure`` says whether a request is made on every path through the
#: function, ``writes`` whether one may write, and ``missed`` lists the lines of requests
#: made only after an early return of what the function keeps (a cache miss).
NET_TAG = "net"


#: Requests that only read (``get``, ``fetch_user``, ``list_objects``, ``describe_...``):
#: running several of them at once changes nothing their order could matter for.
_READ_VERB = re.compile(
    r"_?(?:get|head|options|fetch|find|count|read|list|describe|query|search|lookup|resolve|scan"
    r"|exists|stat|status|info|getitem|getiter|download|select|load|probe|check|health|ping)"
    r"(?:_\w*)?$|_?(?:block_number|balance)$"
)
#: Awaited methods of a known client that neither send a request nor change anything
#: remote: reading the body of a response already asked for, closing it.
_NEUTRAL_AWAITS = frozenset({"read", "json", "text", "aread", "release", "close", "aclose", "wait_closed"})


def is_read_request(fn: FunctionContext, call: ast.Call) -> bool:
    """Whether a request (see :func:`network_call`) only reads: ``session.get(url)``,
    ``s3.get_object(...)``, ``client.request("GET", ...)``."""
    name = _tail(call.func)
    if name is None:
        return False
    if name == "request":
        first = call.args[0] if call.args else None
        return isinstance(first, ast.Constant) and str(first.value).upper() in ("GET", "HEAD", "OPTIONS")
    return _READ_VERB.match(name) is not None


def note_network(fn: FunctionContext) -> None:
    """Tag an ``async def`` that awaits a request (see :func:`network_call`)."""
    sure = False
    found = False
    writes = False
    missed: list[int] = []  # lines of requests made on a cache miss only
    for sub in fn.walk():
        calls: list[ast.expr] = []
        if isinstance(sub, ast.Await):
            calls = [sub.value]
        elif isinstance(sub, ast.AsyncWith):
            calls = [item.context_expr for item in sub.items]
        elif isinstance(sub, ast.AsyncFor):
            calls = [sub.iter]
        for call in calls:
            if isinstance(call, ast.Call) and fn.callee(call) in _WRAPPERS and call.args:
                call = call.args[0]
            if isinstance(call, ast.Call) and network_call(fn, call):
                found = True
                writes = writes or not is_read_request(fn, call)
                if _after_cached_return(fn, sub):
                    missed.append(call.lineno)
                elif not _on_some_paths(fn, sub):
                    sure = True
    if found:
        fn.info.fanouts.append([NET_TAG, int(sure), int(writes), missed])


def _after_cached_return(fn: FunctionContext, node: ast.AST) -> bool:
    """Whether ``node`` comes after an early return of what the function keeps (``if
    _CACHE is not None: return _CACHE``): it runs on a cache miss only."""
    child = node
    parent = fn.parent(node)
    while parent is not None:
        body = getattr(parent, "body", None)
        if isinstance(body, list) and child in body:
            for stmt in body[:body.index(child)]:
                if isinstance(stmt, ast.If) and cached_return(stmt):
                    return True
        if parent is fn.node:
            return False
        child = parent
        parent = fn.parent(parent)
    return False


def _on_some_paths(fn: FunctionContext, node: ast.AST) -> bool:
    """Whether ``node`` runs only on some paths through its function (a branch, a handler)."""
    child = node
    parent = fn.parent(node)
    while parent is not None and parent is not fn.node:
        if isinstance(parent, ast.If | ast.IfExp) and child is not parent.test:
            return True
        if isinstance(parent, ast.ExceptHandler | ast.match_case):
            return True
        if isinstance(parent, ast.BoolOp) and child is not parent.values[0]:
            return True
        child = parent
        parent = fn.parent(parent)
    return False


#: How surely a function reaches the network (:func:`reaches_network`).
NO_NETWORK, MAYBE_NETWORK, NETWORK = 0, 1, 2


def reaches_network(index: ProjectIndex, qualname: str, memo: dict[str, int], depth: int = 0) -> int:
    """Whether an async function sends a request, itself or through the project's async
    functions it awaits (in any module): ``NETWORK`` when it does on every call,
    ``MAYBE_NETWORK`` when only on some paths (a cache miss, an error handler)."""
    hit = memo.get(qualname)
    if hit is not None:
        return hit
    memo[qualname] = NO_NETWORK  # cycles
    info = index.functions[qualname][0]
    result = NO_NETWORK
    if info.is_async:
        tags = [e for e in info.fanouts if e and e[0] == NET_TAG]
        if tags:
            result = NETWORK if any(len(e) > 1 and e[1] for e in tags) else MAYBE_NETWORK
        missed = {n for e in tags if len(e) > 3 and isinstance(e[3], list) for n in e[3]}
        if result != NETWORK:
            for site in info.calls:
                if site.usage in (Usage.DISCARDED, Usage.UNUSED_NAME):
                    continue
                value = index.evaluate(site.ref)
                level = NO_NETWORK
                if isinstance(value, PFunc):
                    if depth < 6:
                        level = reaches_network(index, value.qualname, memo, depth + 1)
                elif network_lib(value, site.ref) or (
                    site.usage == Usage.AWAITED and remote_by_name(value)
                ):
                    level = NETWORK
                if level and (site.guarded or site.line in missed):
                    level = MAYBE_NETWORK
                result = max(result, level)
                if result == NETWORK:
                    break
    memo[qualname] = result
    return result


#: What an async function's awaits do (:func:`read_level`): nothing remote (only
#: in-memory work, a response's body), requests that only read, or anything else.
QUIET, READS, OTHER = 0, 1, 2


def read_level(index: ProjectIndex, qualname: str, memo: dict[str, int], depth: int = 0) -> int:
    """Whether every await of an async function (followed through the project's async
    functions) is a request that only reads, or does nothing remote: ``READS`` for a probe
    such as ``async with self.http.get(url) as r: GAUGE.set(r.status)``, ``OTHER`` as soon
    as one await writes, sends, sleeps, or cannot be told."""
    hit = memo.get(qualname)
    if hit is not None:
        return hit
    memo[qualname] = OTHER  # cycles
    info = index.functions[qualname][0]
    result = QUIET
    if not info.is_async:
        result = OTHER
    tags = [e for e in info.fanouts if e and e[0] == NET_TAG]
    if any(len(e) < 3 or e[2] for e in tags):
        result = OTHER  # a request that writes (or a summary that does not say)
    for site in info.calls if result != OTHER else ():
        if site.usage != Usage.AWAITED:
            continue
        value = index.evaluate(site.ref)
        attr = site.ref.rpartition(".")[2]
        if isinstance(value, PFunc):
            level = read_level(index, value.qualname, memo, depth + 1) if depth < 6 else OTHER
        elif isinstance(value, LibMethod | LibName):
            if network_lib(value, site.ref):
                level = READS if _READ_VERB.match(attr) else OTHER
            elif (attr in _NEUTRAL_AWAITS and isinstance(value, LibMethod)
                  and value.type.partition(".")[0] in _NET_ROOTS):
                level = QUIET
            else:
                level = OTHER
        else:
            # An object of unknown type: a read only when the function's own requests,
            # told by their names, are all reads (``self.http.get(url)``).
            level = READS if tags and (_READ_VERB.match(attr) or attr in _NEUTRAL_AWAITS) else OTHER
        result = max(result, level)
        if result == OTHER:
            break
    if result == QUIET and tags:
        result = READS
    memo[qualname] = result
    return result


def reads_only(index: ProjectIndex, qualname: str, memo: dict[str, int], net: dict[str, int]) -> bool:
    """Whether an async function sends a request on every call, and every request it sends
    only reads: calls of it over different items can run at once, whatever their order."""
    return read_level(index, qualname, memo) == READS and reaches_network(index, qualname, net) == NETWORK


def shared_connection(index: ProjectIndex, qualname: str, memo: dict[str, bool], depth: int = 0) -> bool:
    """Whether an async function queries one connection, cursor, session or stream it did not
    open for the call (``self.conn.fetch(...)``), itself or through the async functions it
    awaits: calls of it cannot run concurrently."""
    hit = memo.get(qualname)
    if hit is not None:
        return hit
    memo[qualname] = False  # cycles
    info = index.functions[qualname][0]
    result = False
    if info.is_async:
        for site in info.calls:
            if site.usage in (Usage.DISCARDED, Usage.UNUSED_NAME):
                continue
            value = index.evaluate(site.ref)
            if isinstance(value, PFunc):
                if depth < 6 and shared_connection(index, value.qualname, memo, depth + 1):
                    result = True
                    break
            elif (
                isinstance(value, LibMethod)
                and value.attr not in _NOT_REQUESTS
                and any(t in SERIAL_CONNECTIONS for t in lib_mro(value.type))
                and _PER_CALL.search(site.ref) is None
            ):
                result = True
                break
    memo[qualname] = result
    return result


def _tail(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _tail(node.func)
    return None


@functools.cache
def _pool_types() -> frozenset[str]:
    """Types of connection pools: their size bounds the requests made through them."""
    return frozenset(
        kb.RETURN_TYPES[ctor] for ctor, res in kb.RESOURCES.items() if res.kind == "pool" and ctor in kb.RETURN_TYPES
    )


def _pooled(value: LibName | LibMethod) -> bool:
    return isinstance(value, LibMethod) and any(t in _pool_types() for t in lib_mro(value.type))


def _lib_io(value: Value | None) -> bool:
    """Whether a library callable sends a request or opens a connection/process/file."""
    if isinstance(value, LibName):
        return value.name in _IO_FUNCTIONS
    if isinstance(value, LibMethod):
        for t in lib_mro(value.type):
            if f"{t}.{value.attr}" in _IO_FUNCTIONS:
                return True
            if t in _HTTP_CLIENTS and value.attr in _HTTP_VERBS:
                return True
            if t == _REDIS and not value.attr.startswith("_") and value.attr not in _REDIS_NOT_IO:
                return True
    return False


def _is_request(fn: FunctionContext, call: ast.Call) -> bool:
    value = fn.lib(call.func)
    if value is not None:
        return _lib_io(value)
    func = call.func
    if isinstance(func, ast.Attribute) and (func.attr in _HTTP_VERBS or func.attr == "fetch"):
        receiver = _tail(func.value)
        return receiver is not None and _CLIENT_NAME.search(receiver) is not None
    # Cloud SDK operations (aioboto3/aiobotocore, gcloud-aio, azure aio): each one is a request.
    return isinstance(func, ast.Attribute) and _CLOUD_OPERATION.match(func.attr) is not None


def _is_pool(value: Value | None) -> bool:
    return isinstance(value, LibObject) and any(t.endswith("Pool") for t in lib_mro(value.type))


def _limiter_kind(fn: FunctionContext, expr: ast.expr) -> str | None:
    """``"limiter"`` for ``sem``, ``self._limiter``, ``pool.acquire()``...; ``"lock"`` for a lock.

    A connection pool bounds only what is done with a connection acquired from it:
    ``async with pool.acquire()`` counts, ``async with create_pool() as pool`` does not.
    """
    if (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in ("acquire", "acquire_on_behalf_of")):
        receiver = expr.func.value
        value = fn.lib(receiver)
        if _is_pool(value):
            return "limiter"
        kind = _limiter_kind(fn, receiver)
        if kind is not None:
            return kind
        tail = _tail(receiver)
        return "limiter" if value is None and tail is not None and "pool" in tail.lower() else None
    value = fn.lib(expr)
    if isinstance(value, LibObject):
        if _is_pool(value):
            return None
        if in_table(value, kb.LIMITERS):
            return "limiter"
        if in_table(value, _LOCK_TYPES):
            return "lock"
    tail = _tail(expr)
    if tail is None:
        return None
    if _LIMITER_NAME.search(tail):
        return "limiter"
    return "lock" if _LOCK_NAME.search(tail) else None


def _pool_acquire(fn: FunctionContext, expr: ast.expr) -> bool:
    """``pool.acquire()`` of a connection pool: it bounds the queries made on the connection,
    not the function's other work, so it does not bound the function's own fan-outs (the
    rows it fetched, mailed one coroutine each)."""
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in ("acquire", "acquire_on_behalf_of")):
        return False
    receiver = expr.func.value
    value = fn.lib(receiver)
    if value is not None:
        return _is_pool(value)
    tail = _tail(receiver)
    return tail is not None and "pool" in tail.lower() and _limiter_kind(fn, receiver) is None


def _is_limiter(fn: FunctionContext, expr: ast.expr) -> bool:
    return _limiter_kind(fn, expr) == "limiter"


def _gate_arg(fn: FunctionContext, arg: ast.expr) -> bool:
    """A semaphore-like argument. A connection pool handed on bounds only the queries made
    through it, not the rest of the work (its HTTP calls), so it does not count here."""
    if not isinstance(arg, ast.Name | ast.Attribute):
        return False
    return _is_limiter(fn, arg)


def _limiter_arg(fn: FunctionContext, call: ast.Call) -> bool:
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            arg = arg.value
        if _gate_arg(fn, arg):
            return True
    for kw in call.keywords:
        if kw.arg is not None and _LIMITER_NAME.search(kw.arg):
            return True
        if _gate_arg(fn, kw.value):
            return True
    return False




_CONSTANTS_CACHE: list[tuple[ast.AST, dict[str, ast.expr]]] = []


def _module_constants(fn: FunctionContext) -> dict[str, ast.expr]:
    """Names the module binds once, at top level, to a literal collection."""
    tree = fn.module_tree
    if _CONSTANTS_CACHE and _CONSTANTS_CACHE[0][0] is tree:
        return _CONSTANTS_CACHE[0][1]
    out: dict[str, ast.expr] = {}
    seen: set[str] = set()
    for stmt in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            targets, value = [stmt.target], stmt.value
        for t in targets:
            if not isinstance(t, ast.Name):
                continue
            if t.id in seen:
                out.pop(t.id, None)
                continue
            seen.add(t.id)
            if isinstance(value, ast.List | ast.Tuple | ast.Set | ast.Dict):
                out[t.id] = value
    _CONSTANTS_CACHE[:] = [(tree, out)]
    return out


#: Names of data that grows with the input: the rows of a table, urls, ids, keys...
_DATA_NAME = re.compile(
    r"(?i)(?:^|_)(?:urls?|uris?|links|ids|keys|rows|records|users|messages|msgs|paths"
    r"|documents|docs|emails|addresses|symbols|tickers|jobs|orders|entries|payloads|accounts"
    r"|customers|products|repos|repositories|images|domains|hosts|photos|videos|posts|articles"
    r"|comments|tweets|contacts|members|recipients|subscribers|devices|objects|blobs|names|pages"
    r")(?:$|_)"
    r"|[a-z](?:Ids|Urls|Keys|Rows)$"
)
#: Readers of rows and lines (``csv.DictReader(...)``, ``text.splitlines()``).
_ROW_READERS = frozenset({"reader", "DictReader", "splitlines", "readlines"})
#: Collections bounded by construction: configuration, fixed sets of shards or workers,
#: the parts of one response, a page, the hooks of a program.
_BOUNDED_NAME = re.compile(
    r"(?i)(?:^|_)(?:config|configs|configuration|settings|conf|options|opts|shards?|partitions?"
    r"|replicas?|workers?|nodes?|brokers?|regions?|zones?|ports?|peers?|child|children|endpoints?"
    r"|providers?|backends?|deployments?|servers?|services?|choices|candidates|alternatives"
    r"|versions?|tags?|hooks?|handlers?|callbacks?|plugins?|listeners?|integrations?|guardrails?"
    r"|loggers?|page|batch|batched|chunk|chunks|window|queue|buffer|pending|slots?"
    r"|connections?|conns?|sessions?|clients?|channels?|streams?|sockets?|websockets?|tools?"
    r"|models?|agents?|sources?|targets?|attachments?|parts?)(?:$|_)"
)


_REQUEST_NAMES = frozenset({"request", "req"})
_PAYLOAD_READERS = frozenset({"json", "get_json", "form", "data", "body"})


def _payload_read(node: ast.expr) -> bool:
    """``request.json``, ``request.json()``, ``req.get_json()``: a request's body."""
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        node = node.func
    return (isinstance(node, ast.Attribute) and node.attr in _PAYLOAD_READERS
            and isinstance(node.value, ast.Name) and node.value.id in _REQUEST_NAMES)


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _bounded_name(name: str) -> bool:
    return _BOUNDED_NAME.search(name) is not None


def _subscript_key(node: ast.Subscript) -> str | None:
    """``rsp["versions"]`` -> ``versions``."""
    key = node.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


class _Spawned:
    """What one fan-out starts per item: a callable (with its arguments, when called)."""

    __slots__ = ("args", "call", "func")

    def __init__(self, func: ast.expr, call: ast.Call | None) -> None:
        self.func = func
        self.call = call
        self.args: list[ast.expr] = list(call.args) if call is not None else []


class _Fanouts:
    """Finds the fan-out sites of one function."""

    def __init__(self, fn: FunctionContext) -> None:
        self.fn = fn
        self._loop_targets: set[str] | None = None
        self._assigned: dict[str, list[ast.expr]] | None = None
        self._paged: set[str] | None = None

    # -- what a name holds --------------------------------------------------

    def assigned(self) -> dict[str, list[ast.expr]]:
        if self._assigned is None:
            out: dict[str, list[ast.expr]] = {}
            for node in self.fn.walk():
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            out.setdefault(t.id, []).append(node.value)
                elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
                    out.setdefault(node.target.id, []).append(node.value)
            self._assigned = out
        return self._assigned

    def paged(self) -> set[str]:
        """Locals extended on every pass of a ``while`` loop that awaits (``items += page``,
        ``rows.extend(...)`` until the listing has no next page): they hold every page of
        a listing, as much as the service has."""
        if self._paged is None:
            out: set[str] = set()
            for loop in self.fn.walk():
                if not isinstance(loop, ast.While) or not any(
                    isinstance(n, ast.Await) for n in iter_frame(loop.body)
                ):
                    continue
                for n in iter_frame(loop.body):
                    if isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Add) and isinstance(n.target, ast.Name):
                        out.add(n.target.id)
                    elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                          and n.func.attr in ("extend", "append") and isinstance(n.func.value, ast.Name)):
                        out.add(n.func.value.id)
            self._paged = out
        return self._paged

    def loop_targets(self) -> set[str]:
        if self._loop_targets is None:
            out: set[str] = set()
            for node in self.fn.walk():
                target: ast.expr | None = None
                if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                    target = node.target
                if target is not None:
                    out.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            self._loop_targets = out
        return self._loop_targets

    # -- is an iterable data? ---------------------------------------------------

    def is_data(self, node: ast.expr, depth: int = 0) -> bool:
        """Whether iterating ``node`` yields a number of items that depends on the input."""
        if depth > 4:
            return False
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return len(node.elts) > _SMALL or any(isinstance(e, ast.Starred) for e in node.elts)
        if isinstance(node, ast.Dict):
            return len(node.keys) > _SMALL
        if isinstance(node, (ast.Constant, *TEMPLATE_STRINGS)):
            return False
        if isinstance(node, ast.Subscript):
            return not isinstance(node.slice, ast.Slice)  # items[i:i + 10] is a batch
        if isinstance(node, ast.Call):
            func = node.func
            name = _tail(func)
            if isinstance(func, ast.Name) and name == "range":
                return self._range_is_data(node)
            if name in _BOUNDED_ITERS:
                return False
            if isinstance(func, ast.Name) and name in _ITER_WRAPPERS and node.args:
                return any(self.is_data(a, depth + 1) for a in node.args if not isinstance(a, ast.Starred))
            if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values", "copy") and not node.args:
                return self.is_data(func.value, depth + 1)
            return True
        if isinstance(node, ast.Name):
            if node.id in self.loop_targets():
                return False  # an item of an outer loop: a batch, or a small nested collection
            values = self.assigned().get(node.id)
            if values:
                return any(self.is_data(v, depth + 1) for v in values)
            constant = _module_constants(self.fn).get(node.id)
            if constant is not None:
                return self.is_data(constant, depth + 1)  # URLS = ["https://a", "https://b"]
            return True
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return any(self.is_data(g.iter, depth + 1) for g in node.generators)
        return True

    def unbounded(self, node: ast.expr, depth: int = 0) -> bool:
        """Whether a collection holds data that grows with the input (``urls``, ``user_ids``,
        the rows of a query), not one bounded by construction (a config list, the shards,
        the choices of one response, a page)."""
        if depth > 4:
            return False
        if isinstance(node, ast.Call):
            func = node.func
            name = _tail(func)
            if isinstance(func, ast.Name) and name == "range":
                lengths = [n.args[0] for n in ast.walk(node)
                           if isinstance(n, ast.Call) and _tail(n.func) == "len" and n.args]
                if lengths:  # range(len(urls)): as unbounded as the urls
                    return any(self.unbounded(a, depth + 1) for a in lengths)
                return self._range_is_data(node)
            if isinstance(func, ast.Name) and name in _ITER_WRAPPERS and node.args:
                return any(self.unbounded(a, depth + 1) for a in node.args if not isinstance(a, ast.Starred))
            if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values", "copy") and not node.args:
                return self.unbounded(func.value, depth + 1)
            if isinstance(func, ast.Name) and name == "map" and len(node.args) >= 2:
                return any(self.unbounded(a, depth + 1) for a in node.args[1:])
            if name in _ROW_READERS:
                return True  # the rows of a CSV or the lines of a text: as many as the input has
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return any(self.unbounded(g.iter, depth + 1) for g in node.generators)
        if isinstance(node, ast.Name) and depth < 4:
            for value in self.assigned().get(node.id, ()):
                if isinstance(value, ast.Await) or (
                    isinstance(value, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp)
                    and isinstance(value.generators[0].iter, ast.Await)
                ):
                    # ``rows = await pool.fetch(...)``, ``donors = [dict(r) for r in await conn.fetch(...)]``
                    return not _bounded_name(node.id)
                if self.unbounded(value, depth + 1):
                    return True
        if self._request_payload(node):
            return True
        if isinstance(node, ast.Name) and node.id in self.paged() and not _bounded_name(node.id):
            return True
        if isinstance(node, ast.Attribute) and _root_name(node) in ("self", "cls"):
            return False  # an object's own collection: what it was configured with
        name = _tail(node) if isinstance(node, ast.Name | ast.Attribute | ast.Subscript) else None
        if isinstance(node, ast.Subscript):
            name = _subscript_key(node) or _tail(node.value)
        if name is None or _bounded_name(name):
            return False
        return _DATA_NAME.search(name) is not None

    def _request_payload(self, node: ast.expr) -> bool:
        """Whether a collection is (part of) a request's body, which its sender sizes:
        ``design["panels"]`` after ``design = request.json`` (or ``await request.json()``,
        ``request.get_json()``, ``await request.form()``)."""
        root = node
        while isinstance(root, ast.Subscript | ast.Attribute) and not _payload_read(root):
            root = root.value
        if _payload_read(root):
            return root is not node  # the body itself is an object; what it holds is the data
        if not isinstance(root, ast.Name) or root is node:
            return False
        return any(_payload_read(v.value if isinstance(v, ast.Await) else v)
                   for v in self.assigned().get(root.id, ()))

    def _range_is_data(self, call: ast.Call) -> bool:
        args = call.args
        if any(isinstance(a, ast.Starred) for a in args) or not args:
            return False
        values = [a.value for a in args if isinstance(a, ast.Constant) and type(a.value) is int]
        if len(values) == len(args):
            start, stop = (0, values[0]) if len(values) == 1 else (values[0], values[1])
            step = values[2] if len(values) > 2 and values[2] else 1
            return (stop - start) // step > _SMALL
        # range(len(urls)) grows with the input; range(self.workers) is a worker pool.
        return any(isinstance(n, ast.Call) and _tail(n.func) == "len" for a in args for n in ast.walk(a))

    # -- the sites ------------------------------------------------------------

    def spawned_by_collection(self, node: ast.expr, depth: int = 0) -> Iterator[tuple[_Spawned, ast.expr]]:
        """The coroutines a collection handed to gather/wait holds, with what they iterate over."""
        if depth > 3:
            return
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            data = [g.iter for g in node.generators if self.is_data(g.iter)]
            if data:
                spawned = self._coroutine(node.elt)
                if spawned is not None:
                    yield spawned, data[0]
            return
        if isinstance(node, ast.DictComp):
            data = [g.iter for g in node.generators if self.is_data(g.iter)]
            if data:
                spawned = self._coroutine(node.value)
                if spawned is not None:
                    yield spawned, data[0]
            return
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "map" and len(node.args) >= 2:
                if any(self.is_data(a) for a in node.args[1:]):
                    target = node.args[0]
                    if isinstance(target, ast.Name | ast.Attribute):
                        yield _Spawned(target, None), node.args[1]
                    elif isinstance(target, ast.Lambda):
                        # map(lambda h: check_host(session, h), hosts)
                        spawned = self._coroutine(target.body)
                        if spawned is not None:
                            yield spawned, node.args[1]
                return
            if isinstance(func, ast.Name) and func.id in ("list", "tuple", "set") and len(node.args) == 1:
                yield from self.spawned_by_collection(node.args[0], depth + 1)
                return
            if isinstance(func, ast.Attribute) and func.attr in ("values", "copy") and not node.args:
                yield from self.spawned_by_collection(func.value, depth + 1)
            return
        if isinstance(node, ast.Name):
            for value in self.assigned().get(node.id, ()):
                if isinstance(value, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
                    yield from self.spawned_by_collection(value, depth + 1)
            yield from self._appended(node.id)

    def _appended(self, name: str) -> Iterator[tuple[_Spawned, ast.expr]]:
        """``coros.append(fetch(u))`` (or ``add``, or ``d[k] = ...``) inside a ``for`` over data."""
        fn = self.fn
        for node in fn.walk():
            item: ast.expr | None = None
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("append", "add") and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == name and len(node.args) == 1):
                item = node.args[0]
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Subscript)
                  and isinstance(node.targets[0].value, ast.Name) and node.targets[0].value.id == name):
                item = node.value
            if item is None:
                continue
            loop = self.enclosing_for(node)
            if loop is None or not self.is_data(loop.iter) or self._paced(loop, node):
                continue
            spawned = self._coroutine(item)
            if spawned is not None:
                yield spawned, loop.iter

    def _coroutine(self, elt: ast.expr) -> _Spawned | None:
        """The coroutine call an element is (``fetch(u)``); ``None`` for tasks (reported where created)."""
        if not isinstance(elt, ast.Call) or self.is_spawn(elt):
            return None
        return _Spawned(elt.func, elt)

    def is_spawn(self, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return self.fn.callee(call) in _SPAWNERS
        if isinstance(func, ast.Attribute) and func.attr in _SPAWN_ATTRS:
            value = self.fn.lib(func)
            if isinstance(value, LibName):
                return value.name in _SPAWNERS
            # tg.create_task, nursery.start_soon, loop.create_task (any receiver)
            return True
        return False

    def enclosing_for(self, node: ast.AST) -> ast.For | None:
        """The nearest ``for`` loop whose body holds ``node`` (``None`` past a ``while``/``async for``)."""
        fn = self.fn
        child = node
        parent = fn.parent(node)
        while parent is not None and parent is not fn.node:
            if isinstance(parent, ast.For):
                return parent if any(s is child for s in parent.body) else None
            if isinstance(parent, ast.While | ast.AsyncFor):
                return None
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return None
            child = parent
            parent = fn.parent(parent)
        return None

    def spawn_loop(self, call: ast.Call) -> ast.expr | None:
        """What a ``create_task``/``start_soon`` call is repeated over, when it is data."""
        fn = self.fn
        child: ast.AST = call
        parent = fn.parent(call)
        while parent is not None and parent is not fn.node:
            if isinstance(parent, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
                if any(child is g for g in parent.generators):
                    return None  # in the iterable, not the element
                data = [g.iter for g in parent.generators if self.is_data(g.iter)]
                return data[0] if data else None
            if isinstance(parent, ast.For):
                if not any(s is child for s in parent.body):
                    return None
                if not self.is_data(parent.iter) or self._paced(parent, call):
                    return None
                return parent.iter
            if isinstance(parent, ast.While | ast.AsyncFor | ast.AsyncWith):
                # a server loop, a stream, or a task group entered per item: not a fan-out over data
                return None
            child = parent
            parent = fn.parent(parent)
        return None

    def _paced(self, loop: ast.For, spawn: ast.AST) -> bool:
        """A loop that awaits something besides spawning is sequential, or paced, or gated."""
        for node in ast.walk(loop):
            if node is spawn:
                continue
            if isinstance(node, ast.Await | ast.AsyncWith | ast.AsyncFor):
                return True
        return False


@register
class UnboundedConcurrency(Rule):
    """## What it does
    Finds fan-outs whose width grows with the input and that nothing
    bounds: `asyncio.gather(*[fetch(u) for u in urls])` (also over
    `map(...)` or a list built in a loop), `asyncio.wait` or
    `asyncio.as_completed` of such a collection, and `create_task` /
    `tg.create_task` / `nursery.start_soon` in a loop over data. It reports
    them when the spawned coroutine sends requests or opens connections,
    processes or files (an HTTP client call, a database or socket
    connection, a subprocess, a file), directly or through the project's
    own async functions in any module; a project coroutine that awaits code
    of an outside module the checker does not know (`await send_mail(...)`)
    counts too.

    It is not reported when a limiter bounds the work: the spawned coroutine
    (or one it awaits) does `async with semaphore:` / `await
    limiter.acquire()` / `async with pool.acquire()` / `async with lock:`
    (asyncio, anyio and trio semaphores and capacity limiters,
    `aiolimiter`, connection pools, or anything named like a semaphore or
    limiter), a semaphore is passed to it, the coroutine is wrapped in a
    bounding helper (`bounded(...)`), or the spawning function acquires a
    limiter itself (not a connection from a pool: `async with pool.acquire()`
    around a query bounds that query, not the mails sent for its rows).
    Loops over a small literal (also a module constant), or
    over `range(n)` with `n` a constant of at most 32 or a worker count,
    batches (`urls[i:i + 10]`, items of an outer loop), loops that await
    between spawns, and test code are not reported.

    By default it reports only fan-outs over data that grows with the input
    (`urls`, `user_ids`, `keys`, the rows of a query, what a request's body
    holds: `design["panels"]` after `design = await request.json()`, a list
    extended on every pass of a `while` loop that awaits: every page of a
    listing...) whose coroutines
    send a request on every call. Collections bounded by construction (a
    config list, the shards, replicas or workers, the choices of one
    response, a page of results, an object's own list), and coroutines that
    open files or processes or call code of a module the checker does not
    know are weaker evidence, reported with `--preview`, unless that code is
    named for what it sends (`await send_mail(...)`, `await
    storage.upload(...)`, `await api.fetch_user(...)`): that is a request.

    ## Why is this bad?
    Each coroutine starts at once. With ten URLs that is fine; with the
    100,000 a production input holds, it opens 100,000 connections at the
    same moment: the remote service rate-limits or falls over, the process
    runs out of file descriptors and memory, and timeouts fire everywhere
    because everything waits for everything else.

    ## Example
    ```python
    import asyncio

    import aiohttp


    async def fetch(session: aiohttp.ClientSession, url: str) -> bytes:
        async with session.get(url) as response:
            return await response.read()


    async def crawl(urls: list[str]) -> list[bytes]:
        async with aiohttp.ClientSession() as session:
            return await asyncio.gather(*[fetch(session, url) for url in urls])
    ```

    ## Use instead
    ```python
    import asyncio

    import aiohttp

    limit = asyncio.Semaphore(20)


    async def fetch(session: aiohttp.ClientSession, url: str) -> bytes:
        async with limit, session.get(url) as response:
            return await response.read()


    async def crawl(urls: list[str]) -> list[bytes]:
        async with aiohttp.ClientSession() as session:
            return await asyncio.gather(*[fetch(session, url) for url in urls])
    ```

    ## Fix safety
    The right bound depends on what the remote side tolerates, so no
    automatic fix is offered.
    """

    code = "ADC502"
    name = "unbounded-concurrency"
    category = "concurrency"
    summary = "Fan-out over data with no limit on concurrency"
    sync_functions = True

    # -- per file -------------------------------------------------------------

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        gates = False
        if fn.is_async:
            gates = self._summarise(fn)
            note_network(fn)
        elif not any(site.ref.rpartition(".")[2] in _FANOUT_TAILS for site in fn.info.calls):
            return iter(())  # a cheap filter for the many sync functions
        if in_test_code(fn) or gates:
            # A limiter acquired by the spawning function itself: taken as bounding its fan-outs.
            return iter(())
        finder = _Fanouts(fn)
        for node in fn.walk():
            if not isinstance(node, ast.Call) or _tail(node.func) not in _FANOUT_TAILS:
                continue
            callee = fn.callee(node)
            if callee in _GATHERERS:
                verb = _GATHERERS[callee]
                collections = [a.value for a in node.args if isinstance(a, ast.Starred)]
                if callee != "asyncio.gather" and node.args and not isinstance(node.args[0], ast.Starred):
                    collections = [node.args[0]]
                for collection in collections:
                    for spawned, items in finder.spawned_by_collection(collection):
                        what = f"`{_short(node.func, 'gather')}()` {verb} one coroutine per item of `{_short(items)}` at once"
                        self._record(fn, node, spawned, what, finder.unbounded(items))
                        break
            elif finder.is_spawn(node) and node.args:
                data = finder.spawn_loop(node)
                if data is None:
                    continue
                first = node.args[0]
                if _tail(node.func) == "start_soon":
                    if not isinstance(first, ast.Name | ast.Attribute):
                        continue
                    spawned = _Spawned(first, None)
                    spawned.args = node.args[1:]
                elif isinstance(first, ast.Call):
                    spawned = _Spawned(first.func, first)
                else:
                    continue
                what = f"`{_short(node.func, 'create_task')}()` in a loop over `{_short(data)}` starts one task per item at once"
                self._record(fn, node, spawned, what, finder.unbounded(data))
        return iter(())

    def _summarise(self, fn: FunctionContext) -> bool:
        """Set ``uses_limiter`` (a limiter or a lock) and ``does_io`` for an ``async def``.

        Returns whether the function acquires a limiter (not merely a lock).
        """
        info = fn.info
        node = fn.node
        gates = False
        if isinstance(node, ast.AsyncFunctionDef) and any(
            (t := _tail(d)) is not None and _LIMITER_NAME.search(t) for d in node.decorator_list
        ):
            gates = True
        for sub in fn.walk():
            acquired: ast.expr | None = None
            if isinstance(sub, ast.AsyncWith):
                for item in sub.items:
                    expr = item.context_expr
                    kind = _limiter_kind(fn, expr)
                    if kind is not None:
                        gates = gates or (kind == "limiter" and not _pool_acquire(fn, expr))
                        info.uses_limiter = True
                    elif not info.does_io and isinstance(expr, ast.Call) and _is_request(fn, expr):
                        info.does_io = True
            elif isinstance(sub, ast.Await):
                value = sub.value
                if not isinstance(value, ast.Call):
                    continue
                func = value.func
                if isinstance(func, ast.Attribute) and func.attr == "acquire":
                    acquired = value
                elif not info.does_io:
                    if _is_request(fn, value):
                        info.does_io = True
                    elif fn.callee(value) in _WRAPPERS:
                        info.does_io = any(isinstance(a, ast.Call) and _is_request(fn, a) for a in value.args)
            elif (isinstance(sub, ast.AsyncFor) and isinstance(sub.iter, ast.Call) and not info.does_io
                  and _is_request(fn, sub.iter)):
                info.does_io = True
            if acquired is not None:
                kind = _limiter_kind(fn, acquired)
                if kind is not None:
                    gates = gates or (kind == "limiter" and not _pool_acquire(fn, acquired))
                    info.uses_limiter = True
        info.uses_limiter = info.uses_limiter or gates
        return gates

    def _record(self, fn: FunctionContext, at: ast.Call, spawned: _Spawned, what: str,
                unbounded: bool) -> None:
        refs: list[str] = []
        local_io = False
        network = False
        targets: list[_Spawned] = [spawned]
        if spawned.call is not None:
            # A wrapper: bounded(fetch(u)), asyncio.wait_for(fetch(u), 10)
            targets.extend(_Spawned(a.func, a) for a in spawned.call.args if isinstance(a, ast.Call))
        for target in targets:
            tail = _tail(target.func)
            if tail is not None and _WRAPPER_NAME.search(tail):
                return
            if target.call is not None:
                if _limiter_arg(fn, target.call):
                    return
                if _is_request(fn, target.call):
                    local_io = True
                    network = network or network_call(fn, target.call)
            elif any(_gate_arg(fn, a) for a in target.args):
                return
            elif _lib_io(fn.lib(target.func)):
                local_io = True
                network = network or network_lib(fn.lib(target.func))
            ref = fn.ref(target.func)
            if ref is not None and not local_io:
                refs.append(ref)  # a project function, or a library one the index may know better
        if not refs and not local_io:
            return
        message = (f"{what}, with no limit: a large input opens thousands of connections; bound it "
                   "with an `asyncio.Semaphore` (or `asyncdoctor.limits`)")
        r = fn.report(self.code, at, message)
        io = _NETWORK_IO if network else _OTHER_IO if local_io else 0
        fn.info.fanouts.append([r.line, r.col, r.end_line, r.end_col, r.message, refs, io, int(unbounded)])

    # -- project ----------------------------------------------------------------

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        limited: dict[str, bool] = {}
        io: dict[str, bool] = {}
        network: dict[str, int] = {}
        for info, summary in index.iter_functions():
            for entry in info.fanouts:
                if not entry or not isinstance(entry[0], int):
                    continue  # another rule's entry (ADC501's candidates, the ``net`` tag)
                try:
                    line, col, end_line, end_col, message, refs, local_io, unbounded = entry
                except (TypeError, ValueError):
                    continue
                found_io = bool(local_io)
                sends = local_io == _NETWORK_IO
                bounded = False
                for ref in refs:
                    value = index.evaluate(ref)
                    if isinstance(value, PFunc):
                        if _limited(index, value.qualname, limited, 0):
                            bounded = True
                            break
                        if not sends and reaches_network(index, value.qualname, network) == NETWORK:
                            sends = found_io = True
                        if not found_io and _does_io(index, value.qualname, io, 0):
                            found_io = True
                    elif isinstance(value, LibName | LibMethod) and (
                            _lib_io(value) or (network_lib(value, ref) and not _pooled(value))):
                        # (a known client's request: ``bot.send_message(...)``, ``nc.request(...)``)
                        found_io = True
                        sends = sends or network_lib(value, ref)
                if found_io and not bounded:
                    # By default only a fan-out over data that grows with the input (rows,
                    # urls, ids...) whose every coroutine sends a request: files, processes,
                    # code of unknown modules, and collections bounded by construction (a
                    # config list, shards, the choices of one response) are weaker evidence.
                    yield ProjectReport(summary.path, self.code, line, col, end_line, end_col, message,
                                        preview=not (sends and unbounded))


def _awaited_project_calls(index: ProjectIndex, qualname: str) -> Iterator[tuple[int, Value | None]]:
    info = index.functions[qualname][0]
    for site in info.calls:
        if site.usage in (Usage.DISCARDED, Usage.UNUSED_NAME):
            continue
        yield site.usage, index.evaluate(site.ref)


def _limited(index: ProjectIndex, qualname: str, memo: dict[str, bool], depth: int) -> bool:
    """Whether the function, or an async function it awaits, acquires a limiter."""
    hit = memo.get(qualname)
    if hit is not None:
        return hit
    memo[qualname] = False  # cycles
    info = index.functions[qualname][0]
    result = info.uses_limiter
    if not result and depth < 6 and info.is_async:
        for _, value in _awaited_project_calls(index, qualname):
            if isinstance(value, PFunc) and _limited(index, value.qualname, memo, depth + 1):
                result = True
                break
    memo[qualname] = result
    return result


def _does_io(index: ProjectIndex, qualname: str, memo: dict[str, bool], depth: int) -> bool:
    """Whether the function, or an async function it awaits, sends requests or opens connections.

    Awaiting a coroutine of a module that is neither in the project nor known to
    the knowledge tables (``await send_mail(...)`` from ``app.mailer``) counts too:
    a project coroutine spawned once per item that calls out to such code is
    taken to do I/O.
    """
    hit = memo.get(qualname)
    if hit is not None:
        return hit
    memo[qualname] = False
    info = index.functions[qualname][0]
    result = info.does_io
    if not result and depth < 6 and info.is_async:
        for usage, value in _awaited_project_calls(index, qualname):
            if isinstance(value, PFunc):
                if index.functions[value.qualname][0].is_async and _does_io(index, value.qualname, memo, depth + 1):
                    result = True
                    break
            elif _lib_io(value) or (usage == Usage.AWAITED and _unknown_external(value)):
                result = True
                break
    memo[qualname] = result
    return result


#: What a coroutine of a module the checker does not know does, by its name: it sends
#: something to another machine (``await send_mail(...)``, ``await mailer.send_email(...)``,
#: ``await storage.upload(...)``, ``await api.fetch_user(...)``).
_REMOTE_NAME = re.compile(
    r"_?(?:send|fetch|post|upload|download|publish|notify|deliver|request|email|mail|sms|webhook)"
    r"(?:_\w+)?$"
)


def remote_by_name(value: Value | None) -> bool:
    """An awaited coroutine of an unknown outside module whose name says it sends a request."""
    if not _unknown_external(value):
        return False
    name = value.name if isinstance(value, LibName) else value.attr if isinstance(value, LibMethod) else ""
    return _REMOTE_NAME.fullmatch(name.rpartition(".")[2].lower()) is not None


def _unknown_external(value: Value | None) -> bool:
    """A function of a module outside the project that the knowledge tables do not cover."""
    if isinstance(value, LibName):
        name = value.name
    elif isinstance(value, LibMethod):
        name = value.type
    else:
        return False
    root = name.partition(".")[0]
    return bool(root) and root not in _known_roots() and root not in sys.stdlib_module_names


@functools.cache
def _known_roots() -> frozenset[str]:
    names: set[str] = set()
    for table in (kb.BLOCKING_CALLS, kb.RETURN_TYPES, kb.TYPE_BASES, kb.ATTRIBUTE_TYPES, kb.ENTER_TYPES,
                  kb.RESOURCES):
        names.update(table)
    names.update(kb.RETURN_TYPES.values())
    names.update(kb.TYPE_ALIASES.values())
    for group in (kb.COROUTINE_FUNCTIONS, kb.OFFLOADERS, kb.OFFLOADING_DECORATORS, kb.LIMITERS,
                  kb.TASK_GROUPS, kb.SLEEP_FUNCTIONS):
        names.update(group)
    return frozenset(n.partition(".")[0] for n in names) | {"builtins", "sniffio", "typing_extensions"}


def _short(node: ast.AST, fallback: str = "the input") -> str:
    return short_source(node, fallback, 40)
