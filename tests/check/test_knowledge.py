"""The knowledge tables hold together: every name is well formed, every type
they mention can be reached, and no callable is said to be two things at once.

A wrong entry is a false positive on someone's real code, so the decisions
taken about borderline calls are pinned down here too.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

import pytest

from asyncdoctor.check import _knowledge as kb

DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
RESOURCE_KINDS = {"client", "connection", "pool", "file", "stream", "server"}

#: Closers that are plain methods on otherwise async types.
SYNC_CLOSERS = {
    "aiomysql.Connection.close",
    "aiomysql.Pool.close",
    "aiomysql.Pool.terminate",
    "asyncpg.Connection.terminate",
    "asyncpg.Pool.terminate",
    "motor.motor_asyncio.AsyncIOMotorClient.close",
    "aiosmtplib.SMTP.close",
}


#: Modules spelt with capitals, whose functions look like methods of a type.
CAPITALISED_MODULES = {"PIL.Image"}
# Classes whose listed methods are class methods, called on the class (``stripe.Customer.retrieve(id)``).
CLASS_METHOD_OWNERS = {f"stripe.{resource}" for resource in kb._STRIPE_RESOURCES}


def owner(name: str) -> str:
    return name.rpartition(".")[0]


def all_keys() -> dict[str, Iterable[str]]:
    return {
        "BLOCKING_CALLS": kb.BLOCKING_CALLS,
        "RETURN_TYPES": kb.RETURN_TYPES,
        "ENTER_TYPES": kb.ENTER_TYPES,
        "ATTRIBUTE_TYPES": kb.ATTRIBUTE_TYPES,
        "TYPE_BASES": kb.TYPE_BASES,
        "COROUTINE_FUNCTIONS": kb.COROUTINE_FUNCTIONS,
        "RESOURCES": kb.RESOURCES,
        "OFFLOADERS": kb.OFFLOADERS,
        "OFFLOADING_DECORATORS": kb.OFFLOADING_DECORATORS,
        "LIMITERS": kb.LIMITERS,
        "TASK_GROUPS": kb.TASK_GROUPS,
        "SLEEP_FUNCTIONS": kb.SLEEP_FUNCTIONS,
    }


def known_types() -> set[str]:
    """Every type a value can have: produced by a call, an attribute, ``with``, or a base."""
    types = set(kb.RETURN_TYPES.values())
    types |= set(kb.ENTER_TYPES.values())
    types |= set(kb.ATTRIBUTE_TYPES.values())
    types |= set(kb.TYPE_BASES)
    types |= {base for bases in kb.TYPE_BASES.values() for base in bases}
    return types


def known_names() -> set[str]:
    """Every name any table (other than the aliases) mentions."""
    names = known_types()
    for table in all_keys().values():
        names |= set(table)
    return names


def mro(type_name: str) -> list[str]:
    out = [type_name]
    for current in out:
        out.extend(b for b in kb.TYPE_BASES.get(current, ()) if b not in out)
    return out


def canonical(name: str) -> str:
    """What the engine does with an alias: exact, else the longest aliased prefix."""
    if name in kb.TYPE_ALIASES:
        return kb.TYPE_ALIASES[name]
    head = name
    while "." in head:
        head = owner(head)
        if head in kb.TYPE_ALIASES:
            return kb.TYPE_ALIASES[head] + name[len(head) :]
    return name


# -- shape ---------------------------------------------------------------------


@pytest.mark.parametrize("table", sorted(all_keys()))
def test_every_key_is_a_dotted_name(table: str) -> None:
    wildcard_ok = table in {"BLOCKING_CALLS", "ATTRIBUTE_TYPES"}
    for key in all_keys()[table]:
        name = key.removesuffix(".*") if wildcard_ok else key
        assert DOTTED.fullmatch(name), f"{table}: {key!r} is not a dotted name"
        assert not any(keyword.iskeyword(part) for part in name.split(".")), key


def test_every_value_is_a_dotted_type_name() -> None:
    values = [
        *kb.RETURN_TYPES.values(),
        *kb.ENTER_TYPES.values(),
        *kb.ATTRIBUTE_TYPES.values(),
        *(base for bases in kb.TYPE_BASES.values() for base in bases),
        *kb.TYPE_ALIASES,
        *kb.TYPE_ALIASES.values(),
    ]
    for value in values:
        assert DOTTED.fullmatch(value), f"{value!r} is not a dotted name"


def test_blocking_entries_are_complete() -> None:
    # Messages read "`name()` {what}, blocking the event loop; {instead}".
    for name, info in kb.BLOCKING_CALLS.items():
        assert info.what and info.instead, name
        assert "event loop" not in info.what, f"{name}: the message adds that itself"
        assert info.instead.split()[0] in {"use", "run", "let"}, f"{name}: start with a verb"
        for kwarg, position, _value in info.nonblocking_if:
            assert kwarg.isidentifier(), name
            assert position >= -1, name


def test_no_type_has_itself_as_base() -> None:
    for type_name, bases in kb.TYPE_BASES.items():
        assert bases, type_name
        assert type_name not in mro(type_name)[1:], type_name


# -- consistency ----------------------------------------------------------------


def test_nothing_is_both_blocking_and_a_coroutine() -> None:
    both = set(kb.BLOCKING_CALLS) & kb.COROUTINE_FUNCTIONS
    assert not both
    wildcard_owners = {owner(k) for k in kb.BLOCKING_CALLS if k.endswith(".*")}
    for name in kb.COROUTINE_FUNCTIONS:
        assert not set(mro(owner(name))) & wildcard_owners, name


#: Types that really have both: Django's QuerySet has a blocking method and its
#: ``a``-prefixed coroutine twin for every query (``get``/``aget``).
SYNC_AND_ASYNC = {"django.db.models.QuerySet", "django.db.models.Manager"}


def test_a_type_is_either_sync_or_async() -> None:
    """A type with blocking methods has no coroutine methods, even through its bases."""
    blocking_owners = {owner(k) for k in kb.BLOCKING_CALLS}
    coroutine_owners = {owner(k) for k in kb.COROUTINE_FUNCTIONS}
    for type_name in known_types() - SYNC_AND_ASYNC:
        line = set(mro(type_name))
        assert not (line & blocking_owners and line & coroutine_owners), type_name


def test_every_method_belongs_to_a_type_that_can_be_reached() -> None:
    """``T.m`` is dead unless a call, attribute, ``with`` or base produces a ``T``."""
    types = known_types()
    tables = {
        "BLOCKING_CALLS": [
            k.removesuffix(".*") + ".x" if k.endswith(".*") else k for k in kb.BLOCKING_CALLS
        ],
        "COROUTINE_FUNCTIONS": kb.COROUTINE_FUNCTIONS,
        "RETURN_TYPES": kb.RETURN_TYPES,
        "ATTRIBUTE_TYPES": [
            k.removesuffix(".*") + ".x" if k.endswith(".*") else k for k in kb.ATTRIBUTE_TYPES
        ],
        "OFFLOADERS": kb.OFFLOADERS,
    }
    for table, names in tables.items():
        for name in names:
            home = owner(name)
            if home in types or home in CAPITALISED_MODULES or home in CLASS_METHOD_OWNERS:
                continue
            # Otherwise it must be a module-level function: no class-like segment.
            assert home == home.lower(), f"{table}: the type of {name!r} is never produced"


def test_return_types_of_classes_are_the_classes() -> None:
    """``X -> X`` for a class; a type never maps to a *different* type unless it is a factory."""
    for name, result in kb.RETURN_TYPES.items():
        if name in known_types() and name != result:
            # A known type whose call returns something else would be a mistake
            # (unless it is a factory function spelt like a type).
            assert name in {"multiprocessing.Pool"} or name.rpartition(".")[2][0].islower(), name


def test_aliases_are_not_used_elsewhere_and_do_not_chain() -> None:
    names = known_names()
    for alias, target in kb.TYPE_ALIASES.items():
        assert alias != target
        assert alias not in names, f"{alias!r} is an alias: use {target!r} in the tables"
        assert not any(n.startswith(alias + ".") for n in names), (
            f"names under the alias {alias!r} should be written under {target!r}"
        )
        assert target not in kb.TYPE_ALIASES, f"{alias!r} -> {target!r} is a chain"


def test_alias_targets_exist() -> None:
    names = known_names()
    for alias, target in kb.TYPE_ALIASES.items():
        assert target in names or any(n.startswith(target + ".") for n in names), (
            f"{alias!r} -> {target!r}, which no table knows"
        )


def test_aliases_resolve_like_the_engine_resolves_them() -> None:
    assert canonical("requests.sessions.Session.get") == "requests.Session.get"
    assert canonical("aiohttp.client.ClientSession") == "aiohttp.ClientSession"
    assert canonical("redis.StrictRedis.get") in kb.BLOCKING_CALLS
    assert canonical("redis.asyncio.client.Redis.get") in kb.COROUTINE_FUNCTIONS
    assert canonical("asyncio.tasks.sleep") in kb.SLEEP_FUNCTIONS


def test_resources() -> None:
    for ctor, res in kb.RESOURCES.items():
        assert res.closers, ctor
        assert res.kind in RESOURCE_KINDS, ctor
        assert res.label, ctor
        assert res.awaited == (ctor in kb.COROUTINE_FUNCTIONS), (
            f"{ctor}: awaited={res.awaited} disagrees with COROUTINE_FUNCTIONS"
        )
        if res.result_index is not None:
            assert res.result_index >= 0
            assert ctor not in kb.RETURN_TYPES, f"{ctor} returns a tuple: no single type"
            continue
        assert ctor in kb.RETURN_TYPES, f"{ctor}: the engine cannot tell what it returns"
        resource_type = kb.RETURN_TYPES[ctor]
        line = mro(resource_type)
        is_async = any(owner(k) in line for k in kb.COROUTINE_FUNCTIONS)
        if is_async:
            for closer in res.closers:
                method = f"{resource_type}.{closer}"
                assert method in kb.COROUTINE_FUNCTIONS or method in SYNC_CLOSERS, (
                    f"{ctor}: closer {closer!r} is neither a known coroutine nor a known plain method"
                )


def test_sets_fit_together() -> None:
    assert kb.OFFLOADING_DECORATORS <= kb.OFFLOADERS
    assert kb.SLEEP_FUNCTIONS <= kb.COROUTINE_FUNCTIONS
    producible = set(kb.RETURN_TYPES) | known_types()
    assert not kb.LIMITERS - producible
    assert not kb.TASK_GROUPS - producible


def test_merge_refuses_a_key_given_twice() -> None:
    with pytest.raises(ValueError, match="given twice"):
        kb._merge({"a.b": 1}, {"a.b": 2})


# -- decisions, pinned ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "time.sleep",
        "requests.get",
        "requests.Session.send",
        "builtins.open",
        "io.open",
        "pathlib.Path.read_text",
        "pathlib.Path.glob",  # lazy, but iterated right away in practice
        "os.walk",
        "subprocess.run",
        "sqlite3.Connection.execute",
        "redis.Redis.get",
        "pymongo.collection.Collection.find",
        "queue.Queue.get",
        "concurrent.futures.Future.result",
        "concurrent.futures.Executor.map",
        "bcrypt.hashpw",
        "builtins.input",
        "botocore.client.BaseClient.*",
        "botocore.paginate.Paginator.paginate",  # lazy, but iterated right away in practice
        "boto3.resources.base.ServiceResource.upload_file",
        "openai.resources.chat.Completions.create",
        "openai.chat.completions.create",  # the module-level client
        "anthropic.resources.Messages.stream",  # sends the request as its block is entered
        "google.cloud.storage.Blob.upload_from_filename",
        "elasticsearch.Elasticsearch.search",
        "smtplib.SMTP_SSL",  # the constructor connects
        "paramiko.SSHClient.exec_command",
        "requests_oauthlib.OAuth2Session.fetch_token",
        "paho.mqtt.client.Client.connect",
        "kafka.KafkaProducer",  # the constructor bootstraps against the cluster
        "kafka.KafkaProducer.send",  # waits for metadata, and for room in a full buffer
        "pika.BlockingConnection",
        "ssl.SSLContext.load_cert_chain",
        "gzip.open",
        "zipfile.ZipFile",
        "zipfile.ZipFile.extractall",
        "tarfile.TarFile.add",
        "PIL.Image.open",
        "PIL.Image.Image.save",
    ],
)
def test_blocking(name: str) -> None:
    assert name in kb.BLOCKING_CALLS


@pytest.mark.parametrize(
    "name",
    [
        "os.path.exists",  # a cheap stat
        "os.stat",
        "pathlib.Path.exists",
        "sqlite3.Connection.close",
        "sqlite3.Connection.cursor",
        "queue.Queue.put",  # only waits on a bounded queue
        "queue.Queue.get_nowait",
        "psycopg2.extensions.cursor.fetchall",  # rows are already in memory
        "psycopg.Cursor.fetchone",
        "psycopg.AsyncConnection.execute",
        "redis.asyncio.Redis.get",
        "redis.client.Pipeline.set",  # only queues the command
        "sqlalchemy.orm.Session.query",  # lazy; its Query runs later
        "sqlalchemy.orm.Session.add",
        "subprocess.Popen",
        "os.spawnl",  # blocks only with os.P_WAIT, which the tables cannot express
        "asyncio.run",
        "webbrowser.open",
        "gzip.GzipFile",  # nearly always handed a file object (fileobj=)
        "zipfile.ZipFile.read",  # memory after ZipFile(io.BytesIO(...)); else the open is reported
        "PIL.Image.Image.thumbnail",  # CPU on pixels already loaded
        "paho.mqtt.client.Client.publish",  # queues the packet on a non-blocking socket
        "paho.mqtt.client.Client.disconnect",
        "paho.mqtt.client.Client.loop_start",
        "kafka.KafkaConsumer.poll",  # timeout_ms=0 by default
        "pika.BlockingConnection.process_data_events",  # time_limit=0 by default
        "boto3.resources.base.ServiceResource.Bucket",  # builds a resource object locally
        "google.cloud.storage.Bucket.blob",  # builds a Blob locally
        "openai.OpenAI",  # building a client sends nothing
        "openai.resources.chat.AsyncCompletions.create",
        "aiobotocore.client.AioBaseClient.get_object",
        "aiokafka.AIOKafkaProducer.send",
    ],
)
def test_not_blocking(name: str) -> None:
    assert name not in kb.BLOCKING_CALLS


@pytest.mark.parametrize(
    "name",
    [
        "asyncio.sleep",
        "asyncio.Queue.get",
        "asyncio.AbstractEventLoop.run_in_executor",
        "aiohttp.ClientSession.get",
        "aiohttp.ClientResponse.json",
        "httpx.AsyncClient.get",
        "asyncpg.Pool.acquire",
        "redis.asyncio.Redis.aclose",
        "websockets.connect",
        "sqlalchemy.ext.asyncio.AsyncSession.commit",
        "aiohttp.request",  # an awaitable async context manager, like ClientSession.get
        "openai.resources.chat.AsyncCompletions.create",
        "anthropic.resources.AsyncMessages.create",
        "aiobotocore.client.AioBaseClient.put_object",
        "elasticsearch.AsyncElasticsearch.search",
        "aiomqtt.Client.publish",
        "aiokafka.AIOKafkaProducer.send",
        "aio_pika.connect_robust",
        "aio_pika.abc.AbstractExchange.publish",
        "aiosmtplib.send",
        "asyncssh.connect",
    ],
)
def test_coroutine(name: str) -> None:
    assert name in kb.COROUTINE_FUNCTIONS


@pytest.mark.parametrize(
    "name",
    [
        "aiohttp.ClientResponse.release",  # a plain method in aiohttp 3
        "httpx.AsyncClient.stream",  # an async context manager, not awaitable
        "asyncio.create_task",
        "asyncio.gather",  # schedules its children whether awaited or not
        "asyncio.timeout",
        "sqlalchemy.ext.asyncio.AsyncSession.add",
        "motor.motor_asyncio.AsyncIOMotorCollection.find",
        "redis.asyncio.client.Pipeline.set",
        "openai.resources.AsyncModels.list",  # an AsyncPaginator: also iterated with async for
        "anthropic.resources.AsyncMessages.stream",  # an async context manager, not awaitable
        "aio_pika.abc.AbstractConnection.channel",  # awaitable, but also used un-awaited
        "aio_pika.abc.AbstractIncomingMessage.ack",  # a plain method before aio-pika 9
        "aiobotocore.session.AioSession.create_client",  # an async context manager only
        "asyncssh.SSHClientConnection.close",
    ],
)
def test_not_a_coroutine(name: str) -> None:
    assert name not in kb.COROUTINE_FUNCTIONS


def test_nonblocking_arguments() -> None:
    get = kb.BLOCKING_CALLS["queue.Queue.get"]
    assert ("block", 0, False) in get.nonblocking_if
    assert ("timeout", 1, 0) in get.nonblocking_if
    assert ("wait", 0, False) in kb.BLOCKING_CALLS[
        "concurrent.futures.Executor.shutdown"
    ].nonblocking_if


def test_types_flow_through_calls_attributes_and_with() -> None:
    assert kb.RETURN_TYPES["requests.session"] == "requests.Session"
    assert kb.RETURN_TYPES["asyncpg.Pool.acquire"] == "asyncpg.Connection"
    nursery_manager = kb.RETURN_TYPES["trio.open_nursery"]
    assert kb.ENTER_TYPES[nursery_manager] == "trio.Nursery"
    database = kb.ATTRIBUTE_TYPES["pymongo.MongoClient.*"]
    collection = kb.ATTRIBUTE_TYPES[f"{database}.*"]
    assert f"{collection}.find_one" in kb.BLOCKING_CALLS
    assert "queue.Queue" in mro("queue.LifoQueue")
    assert "queue.Queue" not in mro("queue.SimpleQueue")
