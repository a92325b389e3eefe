"""ADC501 sequential-await.

A ``for`` loop (or a comprehension) in an ``async def`` that awaits one call
per iteration, where the iterations do not depend on each other, and keeps
each result: the awaits could run concurrently.

The rule is deliberately narrow; it flags a loop only when it can see that
the iterations are independent:

* the awaited call depends on the loop variable(s) and otherwise only on
  values the loop does not change (no cursor, page counter, offset or
  accumulator carried from one iteration to the next, no object whose state
  the loop changes);
* the results are used: appended, stored in a mapping or on the item,
  summed, printed or logged, or a comprehension's elements (also when the
  result only decides what is kept: ``if await exists(k): missing.append(k)``);
  an await whose result is dropped is a side effect whose order may matter,
  except a plain function (or the object's own method) notifying one recipient
  per iteration (``await send_receipt(order_id)``, ``await self.remind(user)``);
* nothing in the loop makes order matter: no ``break``/``return``/``yield``,
  no ``raise`` or ``assert`` on a result, no sleep (pacing), no
  write/send/commit/insert/update/delete/acquire/lock (awaited, or a plain
  ``f.write()``), no read of a shared stream, no query on a single
  connection, cursor or ORM session (they run one operation at a time, also
  through a helper of the same file), no ``await`` of an already running
  task or future, no ``asyncio.gather`` (batching), no thread offloading
  (``to_thread``, ``sync_to_async``, Django's ``aget()``...), no lock or
  transaction in the loop, no lock, semaphore or transaction around it, no
  collection that also receives other values in order (assembling a
  sequence), no cache-miss slow path (``if cached: ... else: await ...``).

A semaphore taken inside the loop does not exempt it: it bounds the calls,
the loop still makes them one after the other.  Test functions and test
modules are not checked: tests send requests one at a time on purpose;
neither are loops a comment calls sequential on purpose.

Two stages.  Per file, each loop found is written down in the function's
``FuncInfo.fanouts`` (``["ADC501", line, col, end_line, end_col, message,
sites, weak]``) with, for each awaited call, what it is: a request seen
here, a callable to look up, or a callable run in a thread pool.  The
project stage reports it by default when one of those calls is known to
wait for the network on every call (or runs a blocking request in a
thread), drops it when an awaited project function queries a connection
shared by its calls, and reports the rest with ``--preview``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .. import _knowledge as kb
from .._analysis import CallSite, FuncInfo, FunctionContext, Report, Usage, iter_scope
from .._index import PFunc, ProjectIndex, ProjectReport
from .._refs import LibMethod, LibName, LibObject, LibValue, eval_lib, lib_mro, split_ref
from ._base import Rule, register
from ._util import is_test_module, source_lines
from .unbounded_concurrency import (
    NETWORK,
    network_call,
    network_lib,
    reaches_network,
    reads_only,
    remote_by_name,
    shared_connection,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ---------------------------------------------------------------------------
# What the loop body may not contain (names of the awaited function or method)

#: Calls whose order matters, or that change state: a loop doing them is left alone.
_SINK_NAMES = _words(
    """
    write writelines drain send sendall sendto sendfile send_json send_text send_bytes send_str
    send_message send_all put put_nowait publish commit rollback acquire release wait wait_for
    wait_closed sleep lock unlock flush join close aclose save store persist emit notify enqueue
    push incr incrby decr decrby expire setex setnx hset hmset hincrby mset lpush rpush sadd srem
    zadd zrem xadd xack set_result set_exception anext __anext__ asend athrow next shutdown
    terminate kill cancel stop start open connect bind listen serve login logout authenticate
    subscribe unsubscribe register unregister submit schedule dispatch deliver charge refund pay
    transfer withdraw deposit migrate apply ack nack reject requeue retry refresh reload reset
    merge patch truncate drop lpop rpop blpop brpop pop popleft get_nowait wrap_file open_file
    read_text read_bytes
    """
)

#: Prefixes of the same (``insert_many``, ``update_user``, ``create_server``...).
_SINK_PREFIXES = (
    "insert", "update", "upsert", "delete", "remove", "save", "write", "send", "publish",
    "commit", "rollback", "execute", "exec_", "create", "put_", "set_", "store", "persist",
    "emit", "notify", "enqueue", "push", "acquire", "lock", "sleep", "wait", "drain", "flush",
    "close", "start", "stop", "open", "connect", "bind", "listen", "serve", "register",
    "subscribe", "shutdown", "cancel", "kill", "terminate", "mark_", "increment", "decrement",
    "copy_", "run_sync", "run_in", "to_thread", "login", "sync_", "upload",
)

#: ``client.chat.completions.create(...)`` and friends ask a model: a read, not a write.
_GENERATIVE_APIS = frozenset(["completions", "messages", "embeddings", "responses", "images",
                              "moderations", "chat"])

#: Zero-argument methods that set an object up (or run it): done in order on purpose.
_LIFECYCLE = _words(
    """
    load init initialize setup set_up run prepare ping check build install validate warmup
    warm_up startup configure activate enable disable
    """
)

#: Words that make any name a write (``immediate_execute_command``, ``bulk_insert``).
_SINK_WORDS = _words(
    """
    execute insert update upsert delete write send publish commit rollback save store persist
    upload enqueue notify emit acquire lock sleep drain flush create remove
    """
)

#: Django's async ORM and cache methods (``aget``, ``afirst``...) run the sync
#: method through ``sync_to_async(thread_sensitive=True)``: one at a time.
_DJANGO_SYNC_METHODS = _words(
    """
    get first last count exists create update delete get_or_create update_or_create
    bulk_create bulk_update in_bulk aggregate contains explain earliest latest iterator
    get_many set add delete_many has_key incr decr touch clear save refresh_from_db
    set_many get_or_set
    """
)

#: Plain functions (or the object's own methods) that notify one recipient
#: (``send_receipt(order_id)``, ``send_welcome_email(user)``, ``notify_owner(repo)``,
#: ``self.remind(user_id)``): a fan-out whose calls
#: are independent, unlike ``send``/``send_bytes``/``send_message`` on a stream.
_FANOUT_NAME = re.compile(
    r"^(?:notify|remind|alert|invite|(?:send|notify|email|mail|alert|remind|invite|sms|text)_(?!(?:bytes|text|json|str"
    r"|all|message|messages|frame|frames|packet|packets|chunk|chunks|data|line|lines|raw|command"
    r"|commands|packed\w*|file|eof|request|requests|response|header|headers|body|ping|pong|signal"
    r"|batch|event|events|update|updates)$)[a-z]\w*)$"
)


#: Words of a method name that says it notifies someone (see :func:`_is_fanout`).
_NOTICE = re.compile(r"notif|remind|alert|invit|e?mail|sms|receipt|welcome")


def _is_fanout(func: ast.expr) -> bool:
    """``send_receipt(...)``, or a method of the object itself (``self.remind(user)``), not
    of another object (``ws.send_json(...)`` is a stream, in order)."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        # a method: only one that says it notifies someone (``self._send_batch(...)`` is
        # an upload, whose order or load may matter)
        name = func.attr.lstrip("_")
        return bool(_FANOUT_NAME.match(name)) and _NOTICE.search(name) is not None
    return isinstance(func, ast.Name) and bool(_FANOUT_NAME.match(func.id))



#: Reads that consume a stream: in order, unless the stream belongs to the iteration.
_STREAM_READS = _words(
    """
    read readline readlines readexactly readuntil readany readchunk read_nowait recv recv_into
    recvfrom recv_json recv_string recv_multipart recv_bytes receive receive_json receive_text
    receive_bytes receive_str receive_some receive_message get_message next_message
    """
)

#: Queries on a database connection, cursor or ORM session, which run one at a time.
_DB_METHODS = _words(
    """
    fetch fetchrow fetchval fetchone fetchall fetchmany fetch_one fetch_all fetch_val fetch_many
    scalar scalars scalar_one scalar_one_or_none stream stream_scalars run_sync get_one
    execute_fetchall exec_driver_sql prepare cursor
    """
)
#: The same, unambiguous whatever the receiver is called.
_DB_ONLY_METHODS = _words(
    """
    fetchrow fetchval fetchone fetchall fetchmany fetch_val scalar scalar_one
    scalar_one_or_none scalars stream_scalars execute_fetchall exec_driver_sql run_sync
    """
)

#: Methods reading the body of a response (or the outcome of a task) already in hand.
_BODY_READS = _words("json text read aread body content bytes form post result exception release")

#: Receivers (last name of ``x.y.method``) that serve one operation at a time.
_SERIAL_RECEIVER = re.compile(
    r"(?:^|_)(?:conn|connection|con|cur|cursor|tx|txn|trans|transaction|ws|websocket|wsock"
    r"|socket|sock|reader|writer|stream|channel|chan|pipe|pipeline|proc|process|subprocess"
    r"|serial|port|device|ssh|sftp|ftp|smtp|imap|telnet|pubsub|queue|q|inbox|mailbox)$"
)
#: Roots of ``uow.repo.method`` chains: a unit of work holds one database session.
_UNIT_OF_WORK = re.compile(r"^(?:uow|unit_of_work|unitofwork|work_unit)$|_uow$")


def root_node(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


#: Arguments that are such a connection or stream (``await read_frame(reader)``).
_SERIAL_ARG = re.compile(
    r"(?:^|_)(?:conn|connection|con|cur|cursor|tx|txn|transaction|ws|websocket|socket|sock"
    r"|reader|writer|stream|pubsub)$"
)
#: Receivers that are a database (session) when a query method is called on them.
_DB_RECEIVER = re.compile(r"(?:^|_)(?:session|sess|db|database|dbs|orm|uow|engine|s)$")

#: Types that serve one operation at a time (``lib_mro`` is consulted).
_SERIAL_TYPES = frozenset(
    [
        "asyncpg.Connection",
        "asyncpg.prepared_stmt.PreparedStatement",
        "asyncpg.transaction.Transaction",
        "aiosqlite.Connection",
        "aiosqlite.Cursor",
        "aiomysql.Connection",
        "aiomysql.Cursor",
        "psycopg.AsyncConnection",
        "psycopg.AsyncCursor",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.AsyncConnection",
        "asyncio.StreamReader",
        "asyncio.StreamWriter",
        "asyncio.subprocess.Process",
        "asyncio.Queue",
        "aiohttp.ClientWebSocketResponse",
        "websockets.asyncio.client.ClientConnection",
        "websockets.legacy.client.WebSocketClientProtocol",
        "redis.asyncio.client.Pipeline",
        "redis.asyncio.client.PubSub",
        "redis.asyncio.lock.Lock",
        "anyio.AsyncFile",
        "anyio.abc.SocketStream",
        "trio.SocketStream",
        "aiofiles.base.AsyncBase",
    ]
)

#: Connection pools: each query takes its own connection.
_POOL_TYPES = frozenset(["asyncpg.Pool", "aiomysql.Pool"])

#: ``with``/``async with`` targets that make a loop ordered or serial: locks,
#: limiters, transactions, connections taken from a pool (and semaphores, when
#: held around the whole loop; one taken per iteration is allowed).
_GUARD_WORDS = _words(
    """
    lock rlock mutex sem semaphore limiter limit limits throttle throttler ratelimit
    ratelimiter bucket gate guard condition cond barrier capacity bulkhead transaction
    transactional atomic begin savepoint nested acquire pipeline
    """
)
_GUARD_SUFFIXES = ("lock", "limiter", "semaphore", "throttler", "transaction")

_SEMAPHORE_TYPES = kb.SEMAPHORES | {"asyncdoctor.limits.ConcurrencyLimiter"}
_SEMAPHORE_NAME = re.compile(r"(?:^|_)(?:sem|sema|semaphore|concurrency|capacity)(?:_|$)|semaphore")

#: Context managers whose ``as`` name is a connection (or session) used one query at a time.
_CONNECTION_CTOR = re.compile(
    r"(?:^|_)(?:acquire|connect|connection|begin|begin_nested|transaction|cursor|get_conn"
    r"|get_connection|session_scope|get_db|get_session|sessionlocal|db_session)$"
)

#: Builtins whose sole argument, a generator expression, is consumed at once.
_CONSUMERS = frozenset(
    f"builtins.{n}" for n in _words("list set tuple frozenset dict sorted sum min max")
)

#: Awaitable wrappers: what they wrap is what is awaited.
_WRAPPERS = frozenset(["asyncio.wait_for", "asyncio.shield"])
#: Calls that already run things concurrently (batching): a loop around them is deliberate.
_BATCHERS = frozenset(
    ["asyncio.gather", "asyncio.wait", "asyncio.as_completed", "anyio.create_task_group"]
)
_BATCHER_NAMES = frozenset(["gather", "wait", "as_completed", "map", "starmap", "imap"])

#: Methods that change the object they are called on.
_MUTATORS = _words(
    """
    append extend insert add update pop popleft popitem remove discard clear setdefault
    appendleft extendleft sort reverse put_nowait get_nowait __setitem__ __delitem__
    """
)
#: Plain calls that write out in order (``f.write(data)``, ``sock.sendall(b)``).
_SYNC_SINKS = _words("write writelines send sendall put put_nowait publish emit feed")

#: Logging methods: ``logger.info("%s", result)`` uses the result.
_LOG_METHODS = _words("debug info warning warn error exception critical log")


_OUTPUT = "<output>"  # what print() and logging write to, as a collection


def _is_report(func: ast.expr) -> bool:
    """``print(...)``, ``click.echo(...)``: the value is shown to the user.

    Logging does not count: a result that is only logged is a side effect's
    receipt (a message id, a status), and such loops are often paced on purpose.
    """
    if isinstance(func, ast.Name):
        return func.id in ("print", "pprint")
    if isinstance(func, ast.Attribute):
        return func.attr in ("echo", "secho", "print")
    return False


#: Mutators that take something out of a shared object: the iterations are coupled.
_CONSUMERS_OF_STATE = _words("pop popleft popitem remove discard clear get_nowait __delitem__")
#: Methods that keep a value in a collection.
_COLLECTORS = _words("append extend insert add update appendleft extendleft setdefault __setitem__")

#: Iterables that are not independent items.
_ORDERED_ITERABLES = frozenset(["asyncio.as_completed", "itertools.count", "itertools.cycle",
                                "itertools.repeat", "builtins.iter"])

#: Loop names that say the loop retries the same work.
_RETRY_NAME = re.compile(r"(?i)attempt|retr|tries|^try|backoff|delay")

_FUNC_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMP_NODES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_NAMED_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)


# ---------------------------------------------------------------------------
# Small AST helpers


def _last_name(node: ast.expr) -> str | None:
    """``a.b.c`` -> ``c``; ``f()`` -> ``f``'s last name; ``x`` -> ``x``."""
    while isinstance(node, ast.Call | ast.Subscript | ast.Await):
        node = node.func if isinstance(node, ast.Call) else node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _chain(node: ast.expr) -> str | None:
    """The dotted path of a plain ``a.b.c`` chain (subscripts are skipped over)."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            parts.reverse()
            return ".".join(parts)
        else:
            return None


def _has_subscript(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Subscript):
            return True
        node = node.value
    return False


def _root(node: ast.expr) -> str | None:
    """The name an attribute/subscript/call chain starts from."""
    while True:
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _plain_target(target: ast.expr) -> bool:
    """Whether a ``for`` target binds only names (not ``for self.x in ...``)."""
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, ast.Tuple | ast.List):
        return all(_plain_target(e) for e in target.elts)
    if isinstance(target, ast.Starred):
        return _plain_target(target.value)
    return False


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and what runs in its frame (nested scopes are yielded, not entered)."""
    yield node
    if not isinstance(node, _FUNC_NODES):
        yield from iter_scope(node)


def _expr_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Nodes of an expression, not entering lambdas (comprehensions are entered)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, ast.Lambda) and n is not node:
            continue
        stack.extend(ast.iter_child_nodes(n))


def _read_chains(node: ast.AST) -> Iterator[str]:
    """The maximal ``a.b.c`` chains an expression reads (``self.x.get`` not ``self``)."""
    inner: set[int] = set()
    found: list[ast.expr] = []
    for n in _expr_nodes(node):
        if isinstance(n, ast.Attribute | ast.Subscript):
            inner.add(id(n.value))
            if isinstance(n.ctx, ast.Load):
                found.append(n)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            found.append(n)
    for n in found:
        if id(n) not in inner:
            path = _chain(n)
            if path is not None:
                yield path


def _orm_get(call: ast.Call) -> bool:
    """``session.get(User, 1)``: an ORM lookup (a model class as first argument)."""
    if not call.args:
        return False
    first = _last_name(call.args[0]) if isinstance(call.args[0], ast.Name | ast.Attribute) else None
    return first is not None and first[:1].isupper()


def _loads(node: ast.AST) -> Iterator[str]:
    """Names read by an expression, minus those bound by comprehensions inside it."""
    bound: set[str] = set()
    names: list[str] = []
    for n in _expr_nodes(node):
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load):
                names.append(n.id)
        elif isinstance(n, ast.comprehension):
            bound.update(_target_names(n.target))
    return (name for name in names if name not in bound)


def _awaits(body: list[ast.stmt]) -> bool:
    """Whether a block awaits anything in its own frame."""
    return any(
        isinstance(n, ast.Await | ast.AsyncWith | ast.AsyncFor)
        for stmt in body
        for n in _own_nodes(stmt)
    )


def _terminates(body: list[ast.stmt]) -> bool:
    """Whether a block always leaves the iteration (``continue``/``raise``/...)."""
    return bool(body) and isinstance(body[-1], ast.Continue | ast.Raise | ast.Return | ast.Break)


def _guard_word(name: str | None) -> bool:
    if not name:
        return False
    low = name.lower().lstrip("_")
    if low.endswith(_GUARD_SUFFIXES):
        return True
    return any(tok in _GUARD_WORDS for tok in re.split(r"[_\W]+", low) if tok)


def _short(node: ast.expr) -> str:
    """Source of an awaited expression for a message, shortened to its callee if long."""
    try:
        text = " ".join(ast.unparse(node).split())
    except (RecursionError, ValueError, TypeError):  # absurdly deep expressions
        text = ""
    if text and len(text) <= 60:
        return text
    call = node.value if isinstance(node, ast.Await) else node
    prefix = "await " if isinstance(node, ast.Await) else ""
    if isinstance(call, ast.Call):
        callee = _chain(call.func)
        if callee is not None and len(callee) <= 60:
            return f"{prefix}{callee}(...)"
    return text[:57] + "..." if text else "..."


# ---------------------------------------------------------------------------
# Dependencies: a value depends on the loop variable and/or on loop-carried state

_Dep = tuple[bool, bool]  # (depends on the loop variable, depends on loop-carried state)
_INVARIANT: _Dep = (False, False)


def _join(a: _Dep, b: _Dep) -> _Dep:
    return (a[0] or b[0], a[1] or b[1])


@dataclass(slots=True)
class _State:
    """What is known at one point of an iteration."""

    defined: dict[str, _Dep]  # names (re)bound so far in this iteration
    tainted: set[str]  # names holding (something derived from) an awaited result
    control: bool = False  # this point runs only depending on an awaited result

    def copy(self) -> _State:
        return _State(dict(self.defined), set(self.tainted), self.control)


@dataclass(slots=True)
class _Site:
    """One awaited call (or ``async with`` context) in the loop."""

    node: ast.AST  # what to report: the ``await`` (or the ``async with`` context)
    call: ast.Call
    dep: _Dep
    reads: set[str]  # attribute paths read explicitly, rooted at loop-invariant names
    callee: str | None  # the callee's path, when rooted at a loop-invariant name
    receiver: str | None  # the receiver's path, when rooted at a loop-invariant name


@dataclass(slots=True)
class _Writes:
    """Names and attribute paths the loop body changes."""

    names: set[str] = field(default_factory=set)
    # (path, statement) for paths rooted at names the body does not rebind
    paths: list[tuple[str, ast.AST]] = field(default_factory=list)
    unsafe: bool = False  # ``global``/``nonlocal``: give up


def _body_writes(body: list[ast.stmt], targets: set[str]) -> _Writes:
    out = _Writes(names=set(targets))
    nodes: list[tuple[ast.AST, ast.AST]] = []  # (node, innermost enclosing statement)
    for top in body:
        current: ast.AST = top
        for node in _own_nodes(top):
            if isinstance(node, ast.stmt):
                current = node
            nodes.append((node, current))
    for node, _stmt in nodes:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out.names.add(node.id)
        elif isinstance(node, _NAMED_NODES):
            if node.name:
                out.names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                out.names.add((alias.asname or alias.name).partition(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            out.unsafe = True
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            out.names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            out.names.add(node.rest)
    for node, stmt in nodes:
        path: str | None = None
        if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
            path = _chain(node)
        elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
            path = _chain(node.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
        ):
            path = _chain(node.func.value)
        if path is not None and path.partition(".")[0] not in out.names:
            out.paths.append((path, stmt))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr in _CONSUMERS_OF_STATE
            ):
                out.unsafe = True  # ``captions.pop()``: iterations share what they consume
    out.names -= targets
    return out


def _conflicts(read: str, written: str) -> bool:
    return read == written or written.startswith(read + ".") or read.startswith(written + ".")


# ---------------------------------------------------------------------------
# Classifying awaited calls


def _eval(ref: str) -> LibValue | None:
    try:
        return eval_lib(ref)
    except Exception:  # the knowledge evaluation must never take the rule down
        return None


def _lib(fn: FunctionContext, node: ast.expr) -> LibValue | None:
    try:
        return fn.lib(node)
    except Exception:  # the knowledge evaluation must never take the rule down
        return None


def _lib_name(value: LibValue | None) -> str | None:
    if isinstance(value, LibName):
        return value.name
    if isinstance(value, LibMethod):
        return f"{value.type}.{value.attr}"
    return None


def _serial_type(value: LibValue | None) -> bool:
    if isinstance(value, LibMethod | LibObject):
        return any(t in _SERIAL_TYPES for t in lib_mro(value.type))
    return False


#: Names of collections put in an order on purpose.
_ORDER_NAME = re.compile(r"(?i)(?:^|_)(?:newest|oldest|latest|earliest|sorted|ordered|ranked|prioriti[sz]ed)(?:_|$)|_first$|_last$")

#: How many items fixed in the code make a loop too short to be worth reporting by default.
_FEW = 12


def _size(node: ast.expr) -> int:
    """How many items a literal collection holds (a large number when it cannot be told)."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return _FEW + 1
        return len(node.elts)
    if isinstance(node, ast.Dict):
        return len(node.keys) if None not in node.keys else _FEW + 1
    return _FEW + 1
_CONSTANTS: list[object] = [None, {}]


def _arguments(node: ast.AST) -> Iterator[str]:
    args = getattr(node, "args", None)
    if not isinstance(args, ast.arguments):
        return
    for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        yield a.arg
    if args.vararg is not None:
        yield args.vararg.arg
    if args.kwarg is not None:
        yield args.kwarg.arg


#: Thread pools that run the calls handed to them side by side.
_THREAD_POOLS = frozenset(
    [
        "asyncio.to_thread",
        "anyio.to_thread.run_sync",
        "trio.to_thread.run_sync",
        "starlette.concurrency.run_in_threadpool",
        "fastapi.concurrency.run_in_threadpool",
    ]
)


@dataclass(slots=True)
class _Offload:
    """The call a thread pool runs (``f(x)`` for ``asyncio.to_thread(f, x)``)."""

    call: ast.Call
    weak: bool  # handed to an executor of its own, which may have one worker


class _Checker:
    """Shared classification of awaited calls, for loops and comprehensions."""

    def __init__(self, fn: FunctionContext) -> None:
        self.fn = fn
        self._connections: frozenset[str] | None = None
        self._aliases: dict[str, str] | None = None
        self._serial_funcs: dict[str, bool] = {}
        self._assigned: dict[str, list[ast.expr]] | None = None
        # ``await`` nodes whose result a loop throws away: reported only when the
        # callee is found to only read (see ``_REF_READ``).
        self.discarded: set[int] = set()

    def unwrap(self, await_node: ast.Await) -> ast.Call | None:
        """The call an ``await`` runs, or ``None`` when the loop must be skipped."""
        value = await_node.value
        for _ in range(3):
            if not isinstance(value, ast.Call):
                return None  # ``await task`` / ``await fut``: already running
            name = _lib_name(_lib(self.fn, value.func))
            if name in _WRAPPERS:
                if not value.args:
                    return None
                value = value.args[0]
                continue
            return value
        return None

    def skip_call(self, call: ast.Call, local: set[str], targets: set[str]) -> bool:
        """Whether an awaited call makes the loop order-sensitive or not worth flagging.

        ``local`` holds the names bound in the current iteration (a stream
        that belongs to the iteration may be read), ``targets`` the loop
        variables.
        """
        offloaded = self.offloaded(call)
        if offloaded is not None:
            # ``await asyncio.to_thread(fetch, url)``: judged by what runs in the thread.
            return self.skip_call(offloaded.call, local, targets)
        func = call.func
        value = _lib(self.fn, func)
        name = _lib_name(value)
        if name is not None:
            if name in _BATCHERS or name in kb.SLEEP_FUNCTIONS or name in kb.OFFLOADERS:
                return True
            if isinstance(value, LibMethod) and (
                value.attr in ("run_in_executor", "create_task", "create_future")
            ):
                return True
        last = _last_name(func)
        if isinstance(func, ast.Name):
            last = self.aliases().get(func.id, last)  # ``run = self.execute_command``
        if last is None or _chain(func) is None or _has_subscript(func):
            return True  # ``await getattr(o, name)()``, ``await handlers[k](...)``: dispatch
        if last[:1] == "a" and last[1:] in _DJANGO_SYNC_METHODS:
            return True  # Django's ``aget()``/``afirst()``...: one at a time in one thread
        local_func = self.local_function(func)
        if local_func is not None and (local_func.offloaded or self.serial_inside(local_func, 2)):
            # ``@sync_to_async`` (thread-sensitive): one at a time anyway; a helper
            # of this file querying one connection cannot run concurrently either.
            return True
        low = last.lower().lstrip("_")
        if isinstance(func, ast.Name) and func.id in targets:
            return True  # calling each of a list of callables: hooks, in order
        if (
            not _is_fanout(func)
            and (
            low in _SINK_NAMES
            or low.startswith(_SINK_PREFIXES)
            or low in _BATCHER_NAMES
            or not _SINK_WORDS.isdisjoint(low.split("_"))
            )
        ) and not (
            low == "create"
            and isinstance(func, ast.Attribute)
            and _last_name(func.value) in _GENERATIVE_APIS
        ):
            return True
        if (
            not call.args
            and not call.keywords
            and isinstance(func, ast.Attribute)
            and _root(func.value) in local
            and low in _LIFECYCLE
        ):
            return True  # ``for plugin in plugins: await plugin.load()``: set-up, in order
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(arg, ast.Name | ast.Attribute) and _root(arg) not in local:
                name = (_last_name(arg) or "").lower().lstrip("_")
                if _SERIAL_ARG.search(name) or (
                    isinstance(arg, ast.Name) and arg.id in self.connections()
                ):
                    return True  # ``await read_frame(reader)``, ``await load(conn, key)``
        for sub in _expr_nodes(call):
            if isinstance(sub, ast.Call) and sub is not call:
                inner = _last_name(sub.func)
                if inner in ("next", "anext") or (
                    isinstance(sub.func, ast.Attribute) and sub.func.attr in _MUTATORS
                ):
                    return True  # ``await fetch(next(it))``, ``await get(todo.pop())``
        if isinstance(func, ast.Attribute):
            receiver = func.value
            recv_name = (_last_name(receiver) or "").lower().lstrip("_")
            root = _root(receiver)
            if root is None or root not in local:
                # A connection, stream or queue shared by the iterations.
                if _serial_type(value) or _SERIAL_RECEIVER.search(recv_name):
                    return True
                if receiver is not root_node(receiver) and _UNIT_OF_WORK.search(
                    (_root(receiver) or "").lower().lstrip("_")
                ):
                    return True  # ``uow.orders.get(...)``: repositories sharing one session
                if low in _STREAM_READS or (root is not None and root in self.connections()):
                    return True
            pooled = "pool" in recv_name or (
                isinstance(value, LibMethod) and any(t in _POOL_TYPES for t in lib_mro(value.type))
            )
            if low in _DB_ONLY_METHODS and not pooled:
                return True  # a pool takes a connection per query: those may run together
            if _DB_RECEIVER.search(recv_name) and (
                low in _DB_METHODS or (low == "get" and _orm_get(call))
            ):
                return True
            if low in _BODY_READS and isinstance(receiver, ast.Name) and receiver.id in targets:
                return True  # ``for resp in responses: await resp.json()``: already sent
        return False

    def offloaded(self, call: ast.Call) -> _Offload | None:
        """What ``asyncio.to_thread(f, x)`` / ``loop.run_in_executor(None, f, x)`` runs: ``f(x)``.

        Only the thread pools that run calls side by side count (not Django's
        thread-sensitive ``sync_to_async``, which runs them one at a time); a
        call handed to an executor other than the default one is weaker
        evidence (it may have a single worker).
        """
        func = call.func
        value = _lib(self.fn, func)
        name = _lib_name(value)
        weak = False
        if name in _THREAD_POOLS:
            args = list(call.args)
        elif (isinstance(value, LibMethod) and value.attr == "run_in_executor") or (
            not isinstance(value, LibMethod | LibObject)
            and isinstance(func, ast.Attribute)
            and func.attr == "run_in_executor"
        ):
            if len(call.args) < 2:
                return None
            executor = call.args[0]
            weak = not (isinstance(executor, ast.Constant) and executor.value is None)
            args = list(call.args[1:])
        else:
            return None
        if not args or isinstance(args[0], ast.Starred):
            return None
        target, rest = args[0], args[1:]
        keywords = list(call.keywords) if name in _THREAD_POOLS else []
        if (
            isinstance(target, ast.Call)
            and _last_name(target.func) == "partial"
            and target.args
            and not isinstance(target.args[0], ast.Starred)
        ):
            rest = [*target.args[1:], *rest]
            keywords = [*target.keywords, *keywords]
            target = target.args[0]
        if not isinstance(target, ast.Name | ast.Attribute):
            return None
        inner = ast.Call(func=target, args=rest, keywords=keywords)
        ast.copy_location(inner, call)
        return _Offload(inner, weak)

    def local_function(self, func: ast.expr) -> FuncInfo | None:
        """The function of this file that ``func`` names (``helper``, ``self.method``)."""
        ref = self.fn.ref(func)
        if ref is None:
            return None
        functions = self.fn.summary.functions
        return functions.get(ref) or functions.get(ref.replace("().", "."))

    def serial_inside(self, info: FuncInfo, depth: int) -> bool:
        """Whether a function of this file awaits a query on one connection or stream."""
        key = info.qualname
        known = self._serial_funcs.get(key)
        if known is not None:
            return known
        self._serial_funcs[key] = False  # recursion guard
        found = False
        for site in info.calls:
            if site.usage != Usage.AWAITED:
                continue
            segments = split_ref(site.ref)
            method = segments[-1].removesuffix("()").lstrip("_")
            receiver = segments[-2].removesuffix("()").lower().lstrip("_") if len(segments) > 1 else ""
            if "pool" in receiver:
                continue  # ``pool.fetchval(...)``: a connection per query
            if (
                method in _DB_ONLY_METHODS
                or (receiver and _SERIAL_RECEIVER.search(receiver))
                or _serial_type(_eval(site.ref))
            ):
                found = True
                break
            if depth > 1:
                callee = self.fn.summary.functions.get(site.ref.replace("().", "."))
                if callee is not None and self.serial_inside(callee, depth - 1):
                    found = True
                    break
        self._serial_funcs[key] = found
        return found

    def aliases(self) -> dict[str, str]:
        """Local names bound to a method: ``send = self.transport.send`` -> ``send``."""
        if self._aliases is None:
            found: dict[str, str] = {}
            for node in self.fn.walk():
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Attribute)
                ):
                    found[node.targets[0].id] = node.value.attr
            self._aliases = found
        return self._aliases

    def connections(self) -> frozenset[str]:
        """Names bound to a connection: ``async with pool.acquire() as c``, ``c = await connect()``."""
        if self._connections is None:
            found: set[str] = set()
            for node in self.fn.walk():
                pairs: list[tuple[ast.expr | None, ast.expr]] = []
                if isinstance(node, ast.With | ast.AsyncWith):
                    pairs = [(item.optional_vars, item.context_expr) for item in node.items]
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Await):
                    pairs = [(t, node.value.value) for t in node.targets]
                for var, ctx in pairs:
                    if isinstance(var, ast.Name):
                        ctor = _last_name(ctx)
                        if ctor and _CONNECTION_CTOR.search(ctor.lower().lstrip("_")):
                            found.add(var.id)
            self._connections = frozenset(found)
        return self._connections

    def guarded(self, node: ast.AST) -> bool:
        """Whether ``node`` runs under a lock, semaphore, transaction or acquired connection."""
        parent = self.fn.parent(node)
        while parent is not None and parent is not self.fn.node:
            if isinstance(parent, ast.With | ast.AsyncWith):
                for item in parent.items:
                    if self.guard_item(item.context_expr):
                        return True
            parent = self.fn.parent(parent)
        return False

    def semaphore(self, expr: ast.expr) -> bool:
        """``sem`` / ``self._semaphore`` / ``limiter`` of a semaphore type (not a lock or pool)."""
        if isinstance(expr, ast.Call):
            return False
        value = _lib(self.fn, expr)
        if isinstance(value, LibObject):
            return any(t in _SEMAPHORE_TYPES for t in lib_mro(value.type))
        name = (_last_name(expr) or "").lower()
        return bool(_SEMAPHORE_NAME.search(name))

    def guard_item(self, expr: ast.expr) -> bool:
        if _guard_word(_last_name(expr)):
            return True
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and _guard_word(_last_name(expr.func.value))
        ):
            return True  # ``async with self._sem.acquire():`` / ``lock.acquire()``
        value = _lib(self.fn, expr)
        if isinstance(value, LibObject):
            mro = lib_mro(value.type)
            if any(t in kb.LIMITERS for t in mro):
                return True
            if any(t.rpartition(".")[2] in ("Lock", "Semaphore", "Condition") for t in mro):
                return True
        return False

    def fixed_iterable(self, it: ast.expr | None, depth: int = 0) -> bool:
        """Whether a loop runs over a few items fixed in the code (``("a", "b")``, a module
        constant, ``range(3)``): at most a few awaits to save, weak evidence."""
        if it is None or depth > 3:
            return False
        if isinstance(it, ast.List | ast.Tuple | ast.Set):
            return not any(isinstance(e, ast.Starred) for e in it.elts) and len(it.elts) <= _FEW
        if isinstance(it, ast.Dict):
            return None not in it.keys and len(it.keys) <= _FEW
        if isinstance(it, ast.Call):
            func = it.func
            name = _last_name(func)
            if isinstance(func, ast.Name) and name == "range":
                bounds = [a.value for a in it.args
                          if isinstance(a, ast.Constant) and type(a.value) is int]
                if not bounds or len(bounds) != len(it.args) or len(bounds) > 3:
                    return False
                try:
                    return len(range(*bounds)) <= _FEW
                except (ValueError, OverflowError):
                    return False
            if isinstance(func, ast.Name) and name in ("enumerate", "sorted", "reversed", "list",
                                                       "tuple", "set", "zip"):
                return bool(it.args) and all(
                    self.fixed_iterable(a, depth + 1) for a in it.args[:1 if name != "zip" else None]
                )
            if isinstance(func, ast.Attribute) and name in ("items", "keys", "values") and not it.args:
                return self.fixed_iterable(func.value, depth + 1)
            return False
        if isinstance(it, ast.Name):
            values = self.assigned().get(it.id)
            if values is not None:
                return len(values) == 1 and self.fixed_iterable(values[0], depth + 1)
            # A named table of the module (``for name, url in SIDECARS.items()``) is the
            # program's list of things to reach; only a pair is too few to matter.
            constant = self.module_constants().get(it.id)
            return constant is not None and _size(constant) <= 2
        return False

    def ordered_on_purpose(self, it: ast.expr | None, depth: int = 0) -> bool:
        """Whether a loop runs over items put in an order on purpose (``reversed(...)``,
        ``sorted(...)``, ``newest_first``): the order may matter (a failure on the first
        item stops the rest), weak evidence."""
        if it is None or depth > 3:
            return False
        if isinstance(it, ast.Call):
            name = _last_name(it.func)
            if isinstance(it.func, ast.Name) and name in ("reversed", "sorted"):
                return True
            if isinstance(it.func, ast.Name) and name in ("enumerate", "list", "tuple", "zip"):
                return any(self.ordered_on_purpose(a, depth + 1) for a in it.args)
            return False
        if isinstance(it, _COMP_NODES):
            return self.ordered_on_purpose(it.generators[0].iter, depth + 1)
        if isinstance(it, ast.Name):
            if _ORDER_NAME.search(it.id):
                return True
            values = self.assigned().get(it.id) or []
            return len(values) == 1 and self.ordered_on_purpose(values[0], depth + 1)
        return False

    def assigned(self) -> dict[str, list[ast.expr]]:
        """What the function assigns to each plain name (``for`` targets count as unknown)."""
        if self._assigned is None:
            out: dict[str, list[ast.expr]] = {}
            for node in self.fn.walk():
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        for name in _target_names(t):
                            out.setdefault(name, []).append(
                                node.value if isinstance(t, ast.Name) else ast.Constant(None)
                            )
                elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
                    out.setdefault(node.target.id, []).append(node.value or ast.Constant(None))
                elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension | ast.NamedExpr):
                    for name in _target_names(node.target):
                        out.setdefault(name, []).append(ast.Constant(None))
            for arg in _arguments(self.fn.node):
                out.setdefault(arg, []).append(ast.Constant(None))
            self._assigned = out
        return self._assigned

    def module_constants(self) -> dict[str, ast.expr]:
        """Names the module binds once, at the top level."""
        tree = self.fn.module_tree
        if _CONSTANTS[0] is not tree:
            out: dict[str, ast.expr] = {}
            seen: set[str] = set()
            for stmt in tree.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target, value = stmt.targets[0], stmt.value
                elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                    target, value = stmt.target, stmt.value
                else:
                    continue
                if isinstance(target, ast.Name):
                    if target.id in seen:
                        out.pop(target.id, None)
                    else:
                        seen.add(target.id)
                        out[target.id] = value
            _CONSTANTS[:] = [tree, out]
        return _CONSTANTS[1]  # type: ignore[return-value]

    def ordered_iterable(self, it: ast.expr) -> bool:
        if isinstance(it, ast.List | ast.Tuple | ast.Set):
            if any(isinstance(e, ast.Starred) for e in it.elts):
                return False
            return len(it.elts) <= 1
        if isinstance(it, ast.Dict):
            return len(it.keys) <= 1
        if isinstance(it, ast.Constant):
            return True
        if isinstance(it, ast.Call):
            name = _lib_name(_lib(self.fn, it.func))
            if name in _ORDERED_ITERABLES:
                return True
            if _last_name(it.func) in ("as_completed", "count", "cycle", "repeat"):
                return True
        return False


# ---------------------------------------------------------------------------
# One ``for`` loop


class _LoopScan:
    """Walks one loop body in order, following what each iteration binds."""

    def __init__(self, checker: _Checker, loop: ast.For) -> None:
        self.checker = checker
        self.loop = loop
        self.targets = set(_target_names(loop.target))
        self.writes = _body_writes(loop.body, self.targets)
        self.sites: list[_Site] = []
        self.collecting: set[int] = set()  # ids of statements keeping a result
        self.skip = self.writes.unsafe
        self.nested_depth = 0
        self.in_handler = 0
        self.collected: set[str] = set()  # collections that receive results
        self.mixed: set[str] = set()  # collections that also receive other values

    # -- expressions ------------------------------------------------------

    def dep(self, node: ast.AST, state: _State) -> _Dep:
        out = _INVARIANT
        for name in _loads(node):
            known = state.defined.get(name)
            if known is not None:
                out = _join(out, known)
            elif name in self.writes.names:
                out = _join(out, (False, True))
        return out

    def tainted(self, node: ast.AST, state: _State) -> bool:
        for n in _expr_nodes(node):
            if isinstance(n, ast.Await):
                return True
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in state.tainted:
                return True
        return False

    def invariant_path(self, node: ast.expr, state: _State) -> str | None:
        path = _chain(node)
        if path is None:
            return None
        root = path.partition(".")[0]
        if root in state.defined or root in self.writes.names:
            return None
        return path

    def expr(self, node: ast.AST, state: _State) -> None:
        """Record the awaits of an expression evaluated at this point."""
        stack: list[ast.AST] = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, ast.Lambda):
                continue
            if isinstance(n, _COMP_NODES):
                if any(isinstance(s, ast.Await) for s in _expr_nodes(n)):
                    self.skip = True  # the comprehension is checked on its own
                continue
            if isinstance(n, ast.Yield | ast.YieldFrom):
                self.skip = True
                return
            if isinstance(n, ast.NamedExpr):
                for name in _target_names(n.target):
                    state.defined[name] = self.dep(n.value, state)
                    if self.tainted(n.value, state):
                        state.tainted.add(name)
            if isinstance(n, ast.Await):
                if self.nested_depth:
                    self.skip = True
                    return
                call = self.checker.unwrap(n)
                if call is None:
                    self.skip = True
                    return
                self.add_site(n, call, state)
            stack.extend(ast.iter_child_nodes(n))

    def add_site(self, node: ast.AST, call: ast.Call, state: _State) -> None:
        fresh = {name for name, dep in state.defined.items() if dep[0]} | state.tainted
        if self.checker.skip_call(call, fresh, self.targets):
            self.skip = True
            return
        reads = {
            path for path in _read_chains(call)
            if path.partition(".")[0] not in state.defined
            and path.partition(".")[0] not in self.writes.names
        }
        callee = self.invariant_path(call.func, state)
        receiver = None
        if isinstance(call.func, ast.Attribute):
            receiver = self.invariant_path(call.func.value, state)
        if callee is not None:
            reads.discard(callee)
            if receiver is not None:
                reads.discard(receiver)
        self.sites.append(_Site(node, call, self.dep(call, state), reads, callee, receiver))

    # -- statements -------------------------------------------------------

    def block(self, body: list[ast.stmt], state: _State) -> None:
        for stmt in body:
            if self.skip:
                break
            self.stmt(stmt, state)

    def collect_if(self, stmt: ast.stmt, values: list[ast.expr], state: _State,
                   into: ast.expr | None, *, path: str | None = None) -> None:
        """Note a statement that puts ``values`` into the collection ``into``."""
        chosen = False
        if into is not None:
            path = _chain(into)
            # ``(cleared if ok else blocked).append(name)``: the result picks the collection.
            chosen = isinstance(into, ast.IfExp) and self.tainted(into.test, state)
        if state.control or chosen or any(self.tainted(v, state) for v in values):
            self.collecting.add(id(stmt))
            if path is not None:
                self.collected.add(path)
        elif path is not None and not self.in_handler:
            # Something else goes into the same collection, in order: the loop
            # assembles a sequence (``parts.append(sep); parts.append(await ...)``).
            self.mixed.add(path)

    @staticmethod
    def bind(target: ast.expr, dep: _Dep, tainted: bool, state: _State) -> None:
        for name in _target_names(target):
            state.defined[name] = dep
            if tainted:
                state.tainted.add(name)
            else:
                state.tainted.discard(name)

    def stmt(self, stmt: ast.stmt, state: _State) -> None:
        if isinstance(stmt, ast.Expr):
            self.expr(stmt.value, state)
            value = stmt.value
            if isinstance(value, ast.Await):
                call = value.value
                if (
                    isinstance(call, ast.Call)
                    and _is_fanout(call.func)
                    and self.dep(call, state)[0]
                    and not self.skip
                ):
                    # ``await send_receipt(order_id)``: a notification per recipient,
                    # the work itself; nothing orders one recipient after another.
                    self.collecting.add(id(stmt))
                elif (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name | ast.Attribute)
                    and self.dep(call, state)[0]
                    and not self.skip
                ):
                    # ``await self.probe(name, url)``: a side effect, unless the project
                    # stage finds the callee only reads (then it is the loop's work).
                    self.checker.discarded.add(id(value))
                    self.collecting.add(id(stmt))
                else:
                    self.skip = True  # an awaited result thrown away: a side effect
            elif isinstance(value, ast.Call):
                func = value.func
                args = [*value.args, *(k.value for k in value.keywords)]
                last = (_last_name(func) or "").lower().lstrip("_")
                if isinstance(func, ast.Attribute) and func.attr in _COLLECTORS:
                    self.collect_if(stmt, args, state, func.value)
                elif last in _SYNC_SINKS or last.startswith(("write", "send")):
                    self.skip = True  # ``out.write(data)``: streamed out in order
                elif _is_report(func):
                    # ``print(await fetch(url))`` uses the result; a loop that also
                    # prints other things narrates in order (a demo, a report).
                    self.collect_if(stmt, args, state, None, path=_OUTPUT)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            if stmt.value is None:
                return
            self.expr(stmt.value, state)
            dep = self.dep(stmt.value, state)
            tainted = self.tainted(stmt.value, state)
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                self.expr_target(target, state)
                if isinstance(target, ast.Subscript):
                    self.collect_if(stmt, [stmt.value], state, target.value)
                elif isinstance(target, ast.Attribute):
                    root = _root(target)
                    if root is not None and root in state.defined:
                        self.collect_if(stmt, [stmt.value], state, None)
                self.bind(target, dep, tainted, state)
        elif isinstance(stmt, ast.AugAssign):
            self.expr(stmt.value, state)
            self.expr_target(stmt.target, state)
            self.collect_if(stmt, [stmt.value], state, stmt.target)
            if isinstance(stmt.target, ast.Name):
                name = stmt.target.id
                prior = state.defined.get(name, (False, True))
                state.defined[name] = _join(prior, self.dep(stmt.value, state))
                if self.tainted(stmt.value, state):
                    state.tainted.add(name)
        elif isinstance(stmt, ast.If):
            self.expr(stmt.test, state)
            cond = state.control or self.tainted(stmt.test, state)
            awaits = [_awaits(stmt.body), _awaits(stmt.orelse)]
            if awaits[0] != awaits[1]:
                other = stmt.orelse if awaits[0] else stmt.body
                if other and not _terminates(other):
                    # ``if cached: r = cache[x] else: r = await fetch(x)``: the
                    # await is a slow path taken now and then, not the loop's work.
                    self.skip = True
                    return
            branches: list[_State] = []
            leaves = False
            for body in (stmt.body, stmt.orelse):
                sub = state.copy()
                sub.control = cond
                self.block(body, sub)
                if _terminates(body):
                    leaves = leaves or isinstance(body[-1], ast.Continue)
                else:
                    branches.append(sub)
            self.merge(state, branches)
            if cond and leaves:
                state.control = True
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                ctx = item.context_expr
                # A semaphore taken in each iteration bounds the calls, it does not
                # order them (a lock or a transaction does).
                semaphore = self.checker.semaphore(ctx)
                if not semaphore and self.checker.guard_item(ctx):
                    self.skip = True
                    return
                self.expr(ctx, state)
                dep = self.dep(ctx, state)
                tainted = self.tainted(ctx, state)
                if isinstance(stmt, ast.AsyncWith) and not semaphore:
                    if not isinstance(ctx, ast.Call) or self.nested_depth:
                        self.skip = True
                        return
                    self.add_site(ctx, ctx, state)
                    tainted = True
                if item.optional_vars is not None:
                    if not _plain_target(item.optional_vars):
                        self.skip = True
                        return
                    self.bind(item.optional_vars, dep, tainted, state)
            self.block(stmt.body, state)
        elif isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            if isinstance(stmt, ast.AsyncFor | ast.While) and any(
                isinstance(n, ast.Await | ast.AsyncFor | ast.AsyncWith)
                for n in _own_nodes(stmt)
            ):
                self.skip = True
                return
            sub = state.copy()
            if isinstance(stmt, ast.While):
                self.expr(stmt.test, state)
            else:
                self.expr(stmt.iter, state)
                self.bind(stmt.target, self.dep(stmt.iter, state), self.tainted(stmt.iter, state), sub)
            self.nested_depth += 1
            self.block(stmt.body, sub)
            self.block(stmt.orelse, sub)
            self.nested_depth -= 1
            state.tainted |= sub.tainted
        elif isinstance(stmt, ast.Try | ast.TryStar):
            before = state.copy()
            self.block(stmt.body, state)
            self.block(stmt.orelse, state)
            branches = [state.copy()]
            for handler in stmt.handlers:
                sub = before.copy()
                sub.tainted |= state.tainted
                self.in_handler += 1
                self.block(handler.body, sub)
                self.in_handler -= 1
                if not _terminates(handler.body):
                    branches.append(sub)
            self.merge(state, branches)
            self.block(stmt.finalbody, state)
        elif isinstance(stmt, ast.Match):
            self.expr(stmt.subject, state)
            for case in stmt.cases:
                sub = state.copy()
                if case.guard is not None:
                    self.expr(case.guard, sub)
                self.block(case.body, sub)
                state.tainted |= sub.tainted
        elif isinstance(stmt, ast.Return | ast.Global | ast.Nonlocal):
            self.skip = True
        elif isinstance(stmt, ast.Break):
            if not self.nested_depth:
                self.skip = True
        elif isinstance(stmt, ast.Raise):
            for part in (stmt.exc, stmt.cause):
                if part is not None:
                    self.expr(part, state)
            # Failing fast on a result: the remaining calls must not be made.
            if state.control or (stmt.exc is not None and self.tainted(stmt.exc, state)):
                self.skip = True
        elif isinstance(stmt, ast.Assert):
            self.expr(stmt.test, state)
            if self.tainted(stmt.test, state):
                self.skip = True
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                for name in _target_names(target):
                    state.defined.pop(name, None)
                    state.tainted.discard(name)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            state.defined[stmt.name] = _INVARIANT
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            for alias in stmt.names:
                state.defined[(alias.asname or alias.name).partition(".")[0]] = _INVARIANT
        # Pass, Continue: nothing to follow.

    def expr_target(self, target: ast.expr, state: _State) -> None:
        """Awaits inside an assignment target (``out[await key(x)] = ...``)."""
        if isinstance(target, ast.Attribute):
            self.expr(target.value, state)
        elif isinstance(target, ast.Subscript):
            self.expr(target.value, state)
            self.expr(target.slice, state)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                self.expr_target(elt, state)
        elif isinstance(target, ast.Starred):
            self.expr_target(target.value, state)

    @staticmethod
    def merge(state: _State, branches: list[_State]) -> None:
        """After a branch point: names bound on every path that goes on stay bound."""
        if not branches:
            return
        common = set(branches[0].defined)
        for b in branches[1:]:
            common &= set(b.defined)
        defined: dict[str, _Dep] = {}
        for name in common:
            dep = _INVARIANT
            for b in branches:
                dep = _join(dep, b.defined[name])
            defined[name] = dep
        state.defined = defined
        tainted: set[str] = set()
        for b in branches:
            tainted |= b.tainted
        state.tainted = tainted

    # -- verdict ----------------------------------------------------------

    def run(self) -> _Site | None:
        state = _State(dict.fromkeys(self.targets, (True, False)), set())
        self.block(self.loop.body, state)
        if self.skip or not self.sites or not self.collecting or self.collected & self.mixed:
            return None
        written_all = [p for p, _ in self.writes.paths]
        written_state = [p for p, s in self.writes.paths if id(s) not in self.collecting]
        for path in _read_chains(self.loop.iter):
            if any(_conflicts(path, w) for w in written_all):
                return None  # the loop changes what it iterates over: a work list
        first: _Site | None = None
        for site in sorted(self.sites, key=lambda s: (s.call.lineno, s.call.col_offset)):
            if site.dep[1]:
                return None
            for read in site.reads:
                if any(_conflicts(read, w) for w in written_all):
                    return None
            if site.callee is not None and any(
                site.callee == w or site.callee.startswith(w + ".") for w in written_all
            ):
                return None
            if site.receiver is not None and any(
                w == site.receiver or w.startswith(site.receiver + ".") for w in written_state
            ):
                return None
            if first is None and site.dep[0]:
                first = site
        return first


# ---------------------------------------------------------------------------
# One comprehension


def _check_comprehension(checker: _Checker, comp: ast.expr,
                         parent: ast.AST | None) -> ast.Await | None:
    gens: list[ast.comprehension] = comp.generators  # type: ignore[attr-defined]
    if any(g.is_async for g in gens):
        return None
    if isinstance(comp, ast.GeneratorExp):
        if not (
            isinstance(parent, ast.Call)
            and parent.args == [comp]
            and not parent.keywords
            and checker.fn.ref(parent.func) in _CONSUMERS
        ):
            return None
    elif isinstance(parent, ast.Expr):
        return None  # built and thrown away
    if checker.ordered_iterable(gens[0].iter):
        return None
    targets: set[str] = set()
    for g in gens:
        if not _plain_target(g.target):
            return None
        targets.update(_target_names(g.target))
    parts: list[ast.AST] = []
    if isinstance(comp, ast.DictComp):
        parts += [comp.key] if comp.value is None else [comp.key, comp.value]  # None: {**d for d in ds}
    else:
        parts.append(comp.elt)  # type: ignore[attr-defined]
    for i, g in enumerate(gens):
        if i:
            parts.append(g.iter)
        parts.extend(g.ifs)
    awaits: list[ast.Await] = []
    for part in parts:
        stack: list[ast.AST] = [part]
        while stack:
            n = stack.pop()
            if isinstance(n, ast.Lambda):
                continue
            if isinstance(n, _COMP_NODES):
                if any(isinstance(s, ast.Await) for s in _expr_nodes(n)):
                    return None  # the inner comprehension is the one to report
                continue
            if isinstance(n, ast.NamedExpr | ast.Yield | ast.YieldFrom):
                return None
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and (
                n.func.attr in _MUTATORS
            ):
                return None
            if isinstance(n, ast.Await):
                awaits.append(n)
            stack.extend(ast.iter_child_nodes(n))
    if not awaits:
        return None
    awaits.sort(key=lambda a: (a.lineno, a.col_offset))
    first: ast.Await | None = None
    for node in awaits:
        call = checker.unwrap(node)
        if call is None or checker.skip_call(call, targets, targets):
            return None
        if first is None and any(name in targets for name in _loads(call)):
            first = node
    return first


# ---------------------------------------------------------------------------
# The rule


def _message(node: ast.AST, call: ast.Call) -> str:
    what = _short(node) if isinstance(node, ast.Await) else f"async with {_short(call)}"
    return (
        f"`{what}` runs once per iteration, one after the other, though the iterations are "
        "independent; run them concurrently with `asyncio.gather()` or a `TaskGroup` "
        "(bounded by a semaphore)"
    )


@register
class SequentialAwait(Rule):
    """## What it does
    Finds `for` loops and comprehensions in `async` functions that await one
    call per iteration and keep every result (or send one notification per
    item, like `await send_receipt(order_id)` or `await self.remind(user)`,
    or await for its effect a project function that only reads, like a
    health probe `await self.probe(name, url)` that records what it saw in
    memory; one that writes, sends or sleeps is left alone, as its order
    may matter), when the iterations are
    independent of each other: the awaited call depends on the loop variable
    and on nothing the loop itself changes (no cursor, page counter, offset
    or accumulator carried to the next iteration), and nothing in the loop
    needs the calls to happen in order (no `break`, `return` or `yield`, no
    sleep, no write, send, commit, insert, update or delete, no lock or
    transaction, no query on a single database connection or session, no
    already running task being awaited, no `asyncio.gather` of a batch, no
    comment saying the loop runs one call at a time on purpose: `# one at a
    time`, `# sequential`, `# in order`, `# don't overwhelm the API`, a rate
    limit...). A loop whose awaited function queries one connection,
    session, cursor or stream that every iteration shares is not reported
    either: its calls cannot run concurrently.

    By default it reports only calls known to wait for another machine: a
    request of a known client (aiohttp, httpx, redis, asyncpg, motor, SDKs
    of cloud services and model APIs...), a project function that makes
    one on every call (followed through the project's async functions, in
    any module), or a blocking request or process run in a thread pool
    (`await asyncio.to_thread(requests.get, url)`, `await
    loop.run_in_executor(None, fetch, url)`). Awaits that do no I/O
    (formatting, look-ups in memory), that reach the network only on some
    paths (a cache miss: after `if _PRICES is not None: return _PRICES`),
    whose callee cannot be told (an object of unknown
    type, a module outside the project, unless the callee is named for what
    it sends: `await send_receipt(...)`, `await api.fetch_user(...)`), that
    read files in threads or use
    an executor of their own, and loops over a few items fixed in the code
    (`for region in ("eu", "us")`, `range(3)`, a module constant of two
    items) are weaker evidence, reported with `--preview`. A named table of
    the module with more items (`for name, url in SIDECARS.items()`) is the
    program's list of places to reach, which grows: reported by default.

    ## Why is this bad?
    Each `await` waits for its call to finish before the next one starts, so
    the loop takes the *sum* of all the latencies: fetching 100 pages at
    100 ms each takes 10 s one after the other, and about 100 ms when the
    requests are in flight together. This is the most common way async code
    ends up no faster than the blocking code it replaced.

    ## Example
    ```python
    import aiohttp


    async def fetch(session: aiohttp.ClientSession, url: str) -> str:
        async with session.get(url) as response:
            return await response.text()


    async def crawl(session: aiohttp.ClientSession, urls: list[str]) -> list[str]:
        pages = []
        for url in urls:
            pages.append(await fetch(session, url))
        return pages
    ```

    ## Use instead
    ```python
    import asyncio

    import aiohttp


    async def fetch(session: aiohttp.ClientSession, url: str) -> str:
        async with session.get(url) as response:
            return await response.text()


    async def crawl(session: aiohttp.ClientSession, urls: list[str]) -> list[str]:
        limit = asyncio.Semaphore(10)

        async def bounded(url: str) -> str:
            async with limit:
                return await fetch(session, url)

        return await asyncio.gather(*(bounded(url) for url in urls))
    ```
    `asyncio.gather` keeps the results in the order of the inputs. With an
    `asyncio.TaskGroup` (Python 3.11+), the first failure cancels the other
    calls instead of letting them run on.

    ## Fix safety
    No automatic fix. Running the calls concurrently changes behaviour that
    the rule cannot see: the server (or database) sees many requests at
    once, so bound them (a semaphore, or the pool's size) and mind rate
    limits; when one call fails, the others have already been started; and
    a callee that keeps state between calls may not be safe to run
    concurrently with itself.
    """

    code = "ADC501"
    name = "sequential-await"
    category = "concurrency"
    summary = "Independent awaits run one after the other in a loop"

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        # Whether the project stage decides: every candidate is written down with
        # what its awaited calls are, and reported there (see check_project).
        self._candidates(fn)
        return iter(())

    def _candidates(self, fn: FunctionContext) -> None:
        nodes = fn.walk()
        loops: list[ast.For] = []
        comps: list[ast.expr] = []
        has_await = False
        for node in nodes:
            t = type(node)
            if t is ast.Await or t is ast.AsyncWith:
                has_await = True
            elif t is ast.For:
                loops.append(node)  # type: ignore[arg-type]
            elif t in _COMP_TYPES_SET:
                comps.append(node)  # type: ignore[arg-type]
        if not has_await or not (loops or comps):
            return
        if _is_test_name(fn.info.name) or is_test_module(fn.module):
            return  # tests send requests one at a time on purpose (order, reuse, limits)
        checker = _Checker(fn)
        try:
            found = [*self._loops(checker, loops), *self._comprehensions(checker, comps)]
        except RecursionError:  # pragma: no cover - absurdly deep expressions
            return
        for scope, node, call, awaited in found:
            if _says_sequential(fn, scope):
                continue  # ``# one at a time, not to overwhelm the API``: on purpose
            iterable = _iterable(scope)
            weak = checker.fixed_iterable(iterable) or checker.ordered_on_purpose(iterable)
            sites = []
            for site_node, site_call in awaited:
                evidence = _evidence(checker, site_call)
                if id(site_node) in checker.discarded:
                    if evidence[0] != _REF:
                        break  # ``await ws.send(x)``: a library call thrown away, a side effect
                    evidence[0] = _REF_READ
                where = fn.report(self.code, site_node, _message(site_node, site_call))
                sites.append([*evidence, where.line, where.col, where.end_line,
                              where.end_col, where.message])
            if len(sites) != len(awaited):
                continue
            r = fn.report(self.code, node, _message(node, call))
            fn.info.fanouts.append(
                [self.code, r.line, r.col, r.end_line, r.end_col, r.message, sites, int(weak)]
            )

    def _loops(self, checker: _Checker, loops: Iterable[ast.For]) -> Iterator[_Candidate]:
        for loop in loops:
            if not any(
                isinstance(n, ast.Await | ast.AsyncWith)
                for stmt in loop.body
                for n in _own_nodes(stmt)
            ):
                continue
            if not _plain_target(loop.target) or checker.ordered_iterable(loop.iter):
                continue
            if any(_RETRY_NAME.search(n) for n in _target_names(loop.target)):
                continue  # ``for attempt in range(3)``: retries of the same work
            scan = _LoopScan(checker, loop)
            site = scan.run()
            if site is None or checker.guarded(loop):
                continue
            awaited = [(s.node, s.call) for s in scan.sites if s.dep[0]]
            yield loop, site.node, site.call, awaited

    def _comprehensions(self, checker: _Checker, comps: Iterable[ast.expr]) -> Iterator[_Candidate]:
        fn = checker.fn
        for comp in comps:
            if not any(isinstance(n, ast.Await) for n in _expr_nodes(comp)):
                continue
            node = _check_comprehension(checker, comp, fn.parent(comp))
            if node is None or checker.guarded(comp):
                continue
            call = checker.unwrap(node)
            if call is None:
                continue
            awaited: list[tuple[ast.AST, ast.Call]] = [
                (n, c) for n in _expr_nodes(comp)
                if isinstance(n, ast.Await) and (c := checker.unwrap(n)) is not None
            ]
            awaited.sort(key=lambda pair: (getattr(pair[0], "lineno", 0), getattr(pair[0], "col_offset", 0)))
            yield comp, node, call, awaited

    # -- project ----------------------------------------------------------------

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        memo: dict[str, int] = {}
        shared: dict[str, bool] = {}
        reads: dict[str, int] = {}
        for info, summary in index.iter_functions():
            for entry in info.fanouts:
                if not entry or entry[0] != self.code:
                    continue
                try:
                    _code, line, col, end_line, end_col, message, sites, weak = entry
                except (TypeError, ValueError):
                    continue
                if not isinstance(sites, list) or any(_shares(index, site, shared) for site in sites):
                    continue  # the calls share one connection: they cannot run concurrently
                if not all(_reads_only(index, site, reads, memo) for site in sites):
                    continue  # a call awaited for its effect that may write: order may matter
                for site in sites:
                    if not weak and _strong(index, site, memo):
                        # Reported at the call that is known to wait for the network.
                        _kind, _ref, line, col, end_line, end_col, message = site
                        yield ProjectReport(summary.path, self.code, line, col, end_line, end_col,
                                            message)
                        break
                else:
                    yield ProjectReport(summary.path, self.code, line, col, end_line, end_col,
                                        message, preview=True)


_COMP_TYPES_SET = frozenset(_COMP_NODES)


def _is_test_name(name: str) -> bool:
    return name == "test" or name.startswith("test_")




# ---------------------------------------------------------------------------
# Evidence: what the awaited calls do, decided in the project stage

#: The site kinds written down per awaited call: a request seen here (``net``), a
#: callable to look up in the project index (``ref``), a callable run in a thread
#: pool (``thread``; ``thread-own`` for an executor of its own).
_NET, _REF, _THREAD, _THREAD_OWN = "net", "ref", "thread", "thread-own"
#: A project callable awaited for its effect, its result thrown away: the loop is
#: reported only when the callee sends requests that only read.
_REF_READ = "ref-read"
#: A site: [kind, reference, line, col, end_line, end_col, message].
_SITE_FIELDS = 7

#: A loop or comprehension to report: (the loop, where to report, the call there,
#: every awaited (node, call) that depends on the loop variable).
_Candidate = tuple[ast.AST, ast.AST, ast.Call, list[tuple[ast.AST, ast.Call]]]


def _evidence(checker: _Checker, call: ast.Call) -> list[str | None]:
    fn = checker.fn
    offloaded = checker.offloaded(call)
    if offloaded is not None:
        return [_THREAD_OWN if offloaded.weak else _THREAD, fn.ref(offloaded.call.func)]
    if network_call(fn, call):
        return [_NET, None]
    return [_REF, fn.ref(call.func)]


#: What a blocking call waits for, when it is another machine or a process (not a
#: file, a lock or the CPU): running several at once in threads saves their time.
_REMOTE_WAIT = re.compile(r"HTTP|network|DNS|\bAPI\b|server|broker|cluster|runs a process|database")


def _strong(index: ProjectIndex, site: object, memo: dict[str, int]) -> bool:
    """Whether one awaited call is known to wait for the network (or a process, in a thread)."""
    if not isinstance(site, list) or len(site) != _SITE_FIELDS:
        return False
    kind, ref = site[0], site[1]
    if kind == _NET:
        return True
    if not isinstance(ref, str):
        return False
    value = index.evaluate(ref)
    if value is None:
        return False
    if kind == _THREAD:
        blocked = index.blocking(CallSite(ref, 0, 0, 0, 0), value)
        return (blocked is not None and not blocked.weak and "SQLite" not in blocked.what
                and _REMOTE_WAIT.search(blocked.what) is not None)
    if kind == _REF_READ:
        return True  # checked before: the callee only reads, and on every call
    if kind != _REF:
        return False
    if isinstance(value, PFunc):
        return reaches_network(index, value.qualname, memo) == NETWORK
    return network_lib(value, ref) or remote_by_name(value)


def _reads_only(index: ProjectIndex, site: object, memo: dict[str, int], net: dict[str, int]) -> bool:
    """For a call awaited for its effect (``_REF_READ``): whether the callee only reads."""
    if not isinstance(site, list) or len(site) != _SITE_FIELDS or site[0] != _REF_READ:
        return True  # not such a call
    value = index.evaluate(site[1]) if isinstance(site[1], str) else None
    return isinstance(value, PFunc) and reads_only(index, value.qualname, memo, net)


def _shares(index: ProjectIndex, site: object, memo: dict[str, bool]) -> bool:
    """Whether an awaited project function queries a connection shared by its calls."""
    if not isinstance(site, list) or len(site) != _SITE_FIELDS or site[0] not in (_REF, _REF_READ) or (
        not isinstance(site[1], str)
    ):
        return False
    value = index.evaluate(site[1])
    return isinstance(value, PFunc) and shared_connection(index, value.qualname, memo)


#: Comments that say a loop is sequential on purpose.
_SEQUENTIAL_COMMENT = re.compile(
    r"(?i)sequential|\bserial(?:ly|i[sz]ed?)?\b|one (?:at a time|by one|after (?:the )?(?:other|another))"
    r"|\bin (?!any\b)(?:\w+ ){0,2}order\b|\border(?:ing)? (?:matters|is important|is significant)|(?:keep|preserve)s? (?:the )?order"
    r"|overwhelm|rate[ -]?limit|throttl|\bnot (?:in )?parallel|\bno(?:t)? concurren"
    r"|(?:don'?t|do not|never|avoid|without) (?:parallel|concurren|gather|hammer|flood|spam|burst)"
)

def _says_sequential(fn: FunctionContext, scope: ast.AST) -> bool:
    """Whether a comment on the loop, in it or just above it, or the function's docstring, says
    it runs in order on purpose."""
    node = fn.node
    if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
        doc = ast.get_docstring(node, clean=False)
        if doc and _SEQUENTIAL_COMMENT.search(doc):
            return True
    lines = source_lines(fn)
    first = getattr(scope, "lineno", 0)
    last = getattr(scope, "end_lineno", None) or first
    if not lines or first < 1 or last > len(lines):
        return False
    for number in range(max(1, first - 3), last + 1):
        text = lines[number - 1]
        hash_at = text.find("#")
        if hash_at >= 0 and _SEQUENTIAL_COMMENT.search(text[hash_at:]):
            return True
    return False


def _iterable(scope: ast.AST) -> ast.expr | None:
    if isinstance(scope, ast.For):
        return scope.iter
    generators = getattr(scope, "generators", None)
    return generators[0].iter if generators else None
