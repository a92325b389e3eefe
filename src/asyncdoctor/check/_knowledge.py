"""What the checker knows about libraries: plain tables, no logic.

The rules never guess what a library call does; they look it up here.
Every name is the *fully qualified dotted name a user would import*
(``requests.get``, ``sqlite3.Connection.execute``); a method is written
``Type.method``; a builtin is ``builtins.open``.  A key ending in ``.*``
means "any method or attribute of that type".

Precision comes first: a wrong entry is a false positive on someone's real
code, so when it is unclear whether a call really blocks (or really returns
a coroutine), it is left out.

The tables
----------
``BLOCKING_CALLS``
    Calls that block the thread, and so the event loop when made from
    ``async def`` code, with a short reason and what to do instead.
    ``Blocking.nonblocking_if`` lists argument values that make the call
    return at once (``queue.Queue.get(block=False)``).  Some entries are lazy
    iterators whose *iteration* blocks (``pathlib.Path.glob``, ``os.walk``,
    ``pymongo`` ``find``, ``concurrent.futures.Executor.map``): they are
    listed because the iteration nearly always follows in the same function.
    Calls that are cheap in practice are left out: ``os.path.exists``,
    ``os.stat``, ``Path.exists``, ``sqlite3.Connection.close``, the
    ``fetch*`` methods of client-side cursors (psycopg2, psycopg, pymysql),
    which read rows the driver already holds, and ``put`` on the unbounded
    thread queues (``queue.Queue()``'s default), which never waits.
    ``nonblocking_if`` may also compare an argument with ``IN_MEMORY_FILE``:
    ``zipfile.ZipFile(io.BytesIO(data))`` reads memory, not a disk.
``NOT_BLOCKING``
    Methods that a ``Type.*`` entry of ``BLOCKING_CALLS`` does not cover:
    every method of a botocore client is an AWS call but
    ``generate_presigned_url``, which only signs a URL locally.
``IN_MEMORY_FILE`` / ``IN_MEMORY_FILE_TYPES``
    The value the per-file walk records for an argument that is an in-memory
    file (an ``io.BytesIO`` made in place or held by a local name), and the
    types that are such files.
``RETURN_TYPES``
    The type of a call's result, so that ``s = requests.Session()`` makes
    ``s.get(...)`` resolve to ``requests.Session.get``.  For a coroutine
    function it is the type of the *awaited* result; for a context manager
    it is also the type bound by ``with ... as x`` unless ``ENTER_TYPES``
    says otherwise.  A class maps to itself.  Calls returning tuples
    (``asyncio.open_connection``, ``socket.socket.accept``) are left out.
``ENTER_TYPES``
    For a type whose ``with``/``async with`` binds something else:
    ``trio.open_nursery()`` returns a manager whose ``async with`` gives a
    ``trio.Nursery``.
``ATTRIBUTE_TYPES``
    The type of an attribute (or subscript) of an instance:
    ``client.shop`` and ``client["shop"]`` on a ``pymongo.MongoClient`` are
    databases.  A key is either ``Type.attribute`` or ``Type.*``.
``TYPE_BASES``
    Library subclass relations, so that a method known on the base is found
    on the subclass (``queue.LifoQueue`` has ``queue.Queue.get``).
``TYPE_ALIASES``
    Other import paths of the same object (``requests.sessions.Session`` is
    ``requests.Session``).  An alias also covers every name under it:
    ``requests.sessions.Session.get`` is ``requests.Session.get``.  Alias
    keys appear in no other table; targets are the names used everywhere
    else.
``COROUTINE_FUNCTIONS``
    Callables whose call returns a coroutine or another awaitable that does
    nothing, or loses its outcome, unless awaited (``async with``/``async
    for`` on the result count as awaiting it).
``RESOURCES``
    Constructors and factories of things that must be closed, with how they
    are closed and whether they are long-lived clients that belong outside
    loops (``shareable``).
``OFFLOADERS`` / ``OFFLOADING_DECORATORS``
    What runs a sync callable somewhere other than the event loop's thread:
    a blocking call inside such a callable does not block the loop.
``LIMITERS``
    Types (or factories) whose ``async with``/``acquire`` bounds how many
    operations run at once, including connection pools, whose size bounds
    the queries that use them.
``TASK_GROUPS``
    Structured task groups: tasks started in one are owned and awaited by it.
``SLEEP_FUNCTIONS``
    The async sleeps, for spotting polling loops.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "ATTRIBUTE_TYPES",
    "BLOCKING_CALLS",
    "CLASS_ATTRIBUTES",
    "COROUTINE_FUNCTIONS",
    "ENTER_TYPES",
    "FLAG_ARGUMENTS",
    "IN_MEMORY_DATABASE",
    "IN_MEMORY_FILE",
    "IN_MEMORY_FILE_TYPES",
    "LIMITERS",
    "NOT_BLOCKING",
    "OFFLOADERS",
    "OFFLOADING_DECORATORS",
    "PATH_ARGUMENT",
    "REQUEST_CHAINS",
    "RESOURCES",
    "RETURN_TYPES",
    "SEMAPHORES",
    "SLEEP_FUNCTIONS",
    "TASK_GROUPS",
    "TYPE_ALIASES",
    "TYPE_BASES",
    "URL_ARGUMENT",
    "VERSION_FLAGS",
    "VERSION_PROBE",
    "Blocking",
    "Resource",
]


@dataclass(frozen=True, slots=True)
class Blocking:
    """Why a call blocks the event loop, and what to do instead.

    ``nonblocking_if`` holds ``(keyword, position, value)`` triples: the call
    does not block when the argument given by keyword ``keyword``, or at
    positional index ``position`` (``-1``: keyword only), equals ``value``.
    ``queue.Queue.get`` has ``(("block", 0, False), ("timeout", 1, 0))``, so
    ``q.get(False)`` and ``q.get(timeout=0)`` are fine.
    """

    what: str
    instead: str
    nonblocking_if: tuple[tuple[str, int, object], ...] = ()
    #: Triples as ``nonblocking_if``'s: when set, the call blocks only when one matches
    #: (``feedparser.parse(URL)`` fetches; given the body of a page it only parses).
    blocking_only_if: tuple[tuple[str, int, object], ...] = ()


@dataclass(frozen=True, slots=True)
class Resource:
    """Something a constructor or factory returns that must be closed.

    ``awaited`` says whether it is created as ``await ctor(...)``;
    ``closers`` are the method names that release it; ``label`` names it in
    messages; ``shareable`` marks long-lived clients and pools that belong
    outside loops and request handlers; ``result_index`` picks the resource
    out of a tuple result (``asyncio.open_connection`` returns
    ``(reader, writer)``: the writer, index 1, is what gets closed).
    """

    kind: str
    awaited: bool
    closers: tuple[str, ...]
    label: str
    shareable: bool
    result_index: int | None = None


# --------------------------------------------------------------------------
# Small builders, so that the tables below read as lists rather than noise.
# --------------------------------------------------------------------------

_V = TypeVar("_V")


def _names(owner: str, members: str) -> list[str]:
    """``_names("requests.Session", "get post")`` -> the two dotted names."""
    return [f"{owner}.{member}" for member in members.split()]


def _block(
    names: Iterable[str],
    what: str,
    instead: str,
    nonblocking_if: tuple[tuple[str, int, object], ...] = (),
    blocking_only_if: tuple[tuple[str, int, object], ...] = (),
) -> dict[str, Blocking]:
    """The same :class:`Blocking` entry for every name."""
    entry = Blocking(what, instead, nonblocking_if, blocking_only_if)
    return dict.fromkeys(names, entry)


def _to(result: str, names: Iterable[str]) -> dict[str, str]:
    """Every name returns a ``result``."""
    return dict.fromkeys(names, result)


def _azure_blob_types(pkg: str) -> dict[str, str]:
    """What the clients of Azure Blob Storage (``pkg`` is the sync or the ``aio`` package)
    return: the sub-clients, made locally, and the downloader of a blob."""
    return _merge(
        _to(f"{pkg}BlobServiceClient", [f"{pkg}BlobServiceClient.from_connection_string"]),
        _to(
            f"{pkg}ContainerClient",
            _names(f"{pkg}ContainerClient", "from_connection_string from_container_url")
            + _names(f"{pkg}BlobServiceClient", "create_container get_container_client"),
        ),
        _to(
            f"{pkg}BlobClient",
            _names(f"{pkg}BlobClient", "from_blob_url from_connection_string")
            + _names(f"{pkg}BlobServiceClient", "get_blob_client")
            + _names(f"{pkg}ContainerClient", "get_blob_client upload_blob"),
        ),
        _to(
            f"{pkg}StorageStreamDownloader",
            [f"{pkg}BlobClient.download_blob", f"{pkg}ContainerClient.download_blob"],
        ),
    )


def _classes(names: Iterable[str]) -> dict[str, str]:
    """Classes: calling one returns an instance of it."""
    return {name: name for name in names}


def _merge(*tables: Mapping[str, _V]) -> dict[str, _V]:
    """Join tables, refusing a key given twice (a sure sign of a mistake)."""
    merged: dict[str, _V] = {}
    for table in tables:
        for key, value in table.items():
            if key in merged:
                raise ValueError(f"asyncdoctor knowledge: {key!r} is given twice")
            merged[key] = value
    return merged


# Method lists shared by several libraries.
_HTTP_VERBS = "request get options head post put patch delete"
_REDIS_COMMANDS = """
    append bitcount blpop brpop brpoplpush bzpopmax bzpopmin dbsize decr decrby
    delete eval evalsha exists expire expireat flushall flushdb get getdel getex
    getrange getset hdel hexists hget hgetall hincrby hincrbyfloat hkeys hlen
    hmget hmset hset hsetnx hvals incr incrby incrbyfloat info keys lindex
    linsert llen lmove lpop lpush lrange lrem lset ltrim mget mset msetnx
    persist pexpire ping pttl publish rename rpop rpoplpush rpush sadd scan
    scard sdiff setex setnx set setrange sinter sismember smembers smove spop
    srandmember srem strlen sunion touch ttl type unlink xack xadd xdel
    xgroup_create xlen xrange xread xreadgroup xrevrange xtrim zadd zcard
    zcount zincrby zrange zrangebyscore zrank zrem zremrangebyscore zrevrange
    zrevrangebyscore zrevrank zscore
"""
_MONGO_COLLECTION_OPS = """
    bulk_write count_documents create_index create_indexes delete_many
    delete_one distinct drop drop_index drop_indexes estimated_document_count
    find_one find_one_and_delete find_one_and_replace find_one_and_update
    index_information insert_many insert_one rename replace_one update_many
    update_one
"""

# --------------------------------------------------------------------------
# BLOCKING_CALLS
# --------------------------------------------------------------------------

_TO_THREAD = "`await asyncio.to_thread(...)`"
_HTTP_WHAT = "sends an HTTP request and waits for the answer"
_HTTP_INSTEAD = (
    f"use an async client (`httpx.AsyncClient`, `aiohttp.ClientSession`) or {_TO_THREAD}"
)
_FILE_WHAT = "does file-system I/O"
_FILE_INSTEAD = f"use {_TO_THREAD}, `aiofiles` or `anyio.Path`"
_DIR_WHAT = "reads a directory from disk (as it is iterated)"
_SUBPROCESS_WHAT = "runs a process and waits for it to finish"
_SUBPROCESS_INSTEAD = (
    "use `await asyncio.create_subprocess_exec(...)` and `await proc.communicate()`"
)
_SOCKET_WHAT = "waits on a network socket"
_SOCKET_INSTEAD = (
    "use asyncio streams (`asyncio.open_connection`) or the loop's `sock_*` coroutines"
)
_DNS_WHAT = "looks a host name up in DNS and waits for the answer"
_DNS_INSTEAD = "use `await loop.getaddrinfo(...)`"
_LOCK_WHAT = "waits on a thread synchronisation primitive"
_LOCK_INSTEAD = f"use the asyncio equivalent (`asyncio.Lock`, `asyncio.Event` ...) or {_TO_THREAD}"
_QUEUE_WHAT = "waits on a thread or process queue"
_QUEUE_INSTEAD = f"use `asyncio.Queue`, the `*_nowait` methods, or {_TO_THREAD}"
_FUTURE_WHAT = "waits for work running in another thread or process"
_FUTURE_INSTEAD = (
    "use `await asyncio.wrap_future(future)`, or `loop.run_in_executor(...)` and await it"
)
_POOL_INSTEAD = (
    "use `loop.run_in_executor(...)` with a `concurrent.futures.ProcessPoolExecutor` and await it"
)
_CPU_WHAT = "burns CPU for a long time (password hashing / key stretching)"
_CPU_INSTEAD = f"run it with {_TO_THREAD} or in a process pool"


def _db(database: str, instead: str) -> tuple[str, str]:
    return f"waits for the {database}", f"use {instead}, or {_TO_THREAD}"


_SQLITE = _db("SQLite database", "`aiosqlite`")
_PG = _db("PostgreSQL server", "`asyncpg` or psycopg's `AsyncConnection`")
_MYSQL = _db("MySQL server", "`aiomysql` or `asyncmy`")
_MONGO = _db("MongoDB server", "`pymongo.AsyncMongoClient` or `motor`")
_REDIS = _db("Redis server", "`redis.asyncio`")
_SQLA = _db("database", "SQLAlchemy's asyncio extension (`AsyncSession`, `AsyncEngine`)")

_NO_TIMEOUT_0 = (("timeout", 0, 0),)

#: What the per-file walk records, in place of a constant, for an argument
#: that is an in-memory file (``io.BytesIO(data)``, or a local bound to one).
IN_MEMORY_FILE = "<in-memory file>"

#: Requests built by a chain of calls on a generated client and sent by its last call:
#: ``build("calendar", "v3").events().insert(...).execute()``.  A reference that starts
#: with the key and ends with ``.<method>`` blocks (see ``_guess``): (method, what, instead).
REQUEST_CHAINS: dict[str, tuple[str, str, str]] = {
    "googleapiclient.discovery.build()": (
        "execute",
        "sends a Google API request and waits for the answer",
        f"run it in a thread with {_TO_THREAD} (or use `aiogoogle`)",
    ),
}

#: What the per-file walk records, in place of a constant, for an argument that
#: names a file (``path``, ``Path(...)``, ``folder / name``, ``"scans/a.las"``):
#: see :mod:`._guess`.
PATH_ARGUMENT = "<path>"

#: What the walk records for a command line that only asks a program for its version
#: (``["node", "--version"]``): such a process answers in milliseconds.
VERSION_PROBE = "<version probe>"
VERSION_FLAGS: frozenset[str] = frozenset({"--version", "-version", "-V", "version"})

#: What the walk records for an argument that is a web address: a string (or a module
#: constant bound to one, or an f-string) that starts with ``http://`` or ``https://``.
URL_ARGUMENT = "<url>"

#: Types of in-memory files: reading or writing them never waits.
IN_MEMORY_FILE_TYPES: frozenset[str] = frozenset({"io.BytesIO", "io.StringIO"})


#: Flags that make a call return at once.  The per-file walk records an
#: argument that names one of them (alone, OR-ed with other flags, or through a
#: module constant bound to such an expression) as the flag's dotted name, for
#: ``Blocking.nonblocking_if``: ``os.waitpid(pid, os.WNOHANG)`` only reaps a
#: child that has already exited.
FLAG_ARGUMENTS: frozenset[str] = frozenset(
    {"os.WNOHANG", "socket.AI_NUMERICHOST", "socket.NI_NUMERICHOST", "ssl.Purpose.CLIENT_AUTH"}
)

#: What the walk records for the name of an in-memory SQLite database
#: (``":memory:"``, or a ``file::memory:`` URI): opening one touches no file.
IN_MEMORY_DATABASE = ":memory:"


def _in_memory(*arguments: tuple[str, int]) -> tuple[tuple[str, int, object], ...]:
    """``nonblocking_if``: the call does not block when one of these arguments
    (keyword, position) is an in-memory file."""
    return tuple((keyword, position, IN_MEMORY_FILE) for keyword, position in arguments)


_BLOCKING_TIME = _block(["time.sleep"], "sleeps the whole thread", "use `await asyncio.sleep(...)`")

_BLOCKING_HTTP = _merge(
    _block(_names("requests", _HTTP_VERBS), _HTTP_WHAT, _HTTP_INSTEAD),
    _block(_names("requests.Session", f"{_HTTP_VERBS} send"), _HTTP_WHAT, _HTTP_INSTEAD),
    _block(
        _names("urllib.request", "urlopen urlretrieve")
        + _names("urllib.request.OpenerDirector", "open"),
        _HTTP_WHAT,
        _HTTP_INSTEAD,
    ),
    _block(
        _names("urllib3", "request")
        + _names("urllib3.PoolManager", "request urlopen request_encode_url request_encode_body")
        + _names(
            "urllib3.HTTPConnectionPool", "request urlopen request_encode_url request_encode_body"
        ),
        _HTTP_WHAT,
        _HTTP_INSTEAD,
    ),
    _block(
        _names("httpx", f"{_HTTP_VERBS} stream")
        + _names("httpx.Client", f"{_HTTP_VERBS} send stream"),
        _HTTP_WHAT,
        "use `httpx.AsyncClient`",
    ),
    _block(
        _names("http.client.HTTPConnection", "connect request getresponse endheaders send"),
        _HTTP_WHAT,
        _HTTP_INSTEAD,
    ),
    _block(
        # The constructor connects when it is given a host, as it nearly always is.
        _names("smtplib", "SMTP")
        + _names(
            "smtplib.SMTP", "connect ehlo helo login noop quit send_message sendmail starttls"
        ),
        "talks to an SMTP server and waits for it",
        f"use `aiosmtplib` or {_TO_THREAD}",
    ),
    _block(
        _names("ftplib", "FTP")
        + _names(
            "ftplib.FTP",
            "connect cwd delete dir login mkd mlsd nlst pwd quit rename retrbinary"
            " retrlines rmd sendcmd size storbinary storlines voidcmd",
        ),
        "talks to an FTP server and waits for it",
        f"use `aioftp` or {_TO_THREAD}",
    ),
    # boto3 clients are generated at run time: every method is an API call
    # (but those in NOT_BLOCKING). Resources are generated too: their actions
    # are listed, not their sub-resource constructors (``s3.Bucket(name)``).
    _block(
        _names("botocore.client.BaseClient", "*")
        + _names("botocore.waiter.Waiter", "wait")
        # A paginator's pages are fetched as they are iterated, nearly always at once.
        + _names("botocore.paginate.Paginator", "paginate")
        + _names(
            "boto3.resources.base.ServiceResource",
            "batch_get_item batch_write_item copy copy_from create create_bucket create_queue"
            " create_table create_topic delete delete_item delete_messages delete_objects"
            " download_file download_fileobj get get_item get_queue_by_name load publish purge"
            " put put_item put_object query receive_messages reload scan send_message"
            " send_messages update_item upload_file upload_fileobj",
        ),
        "calls an AWS API and waits for the answer",
        f"use `aioboto3`/`aiobotocore` or {_TO_THREAD}",
    ),
    # requests-oauthlib sessions are requests sessions (TYPE_BASES) with token calls.
    _block(
        _names("requests_oauthlib.OAuth2Session", "fetch_token refresh_token")
        + _names("requests_oauthlib.OAuth1Session", "fetch_access_token fetch_request_token"),
        _HTTP_WHAT,
        _HTTP_INSTEAD,
    ),
    _block(
        ["smtplib.SMTP_SSL"],
        "talks to an SMTP server and waits for it",
        f"use `aiosmtplib` or {_TO_THREAD}",
    ),
    _block(
        ["ftplib.FTP_TLS"],
        "talks to an FTP server and waits for it",
        f"use `aioftp` or {_TO_THREAD}",
    ),
    _block(
        _names("paramiko.SSHClient", "connect exec_command invoke_shell open_sftp")
        + _names(
            "paramiko.SFTPClient",
            "chdir chmod get getfo listdir listdir_attr lstat mkdir normalize put putfo remove"
            " rename rmdir stat unlink",
        ),
        "talks to an SSH server and waits for it",
        f"use `asyncssh` or {_TO_THREAD}",
    ),
    _block(
        # The constructor connects when it is given a host, as it nearly always is.
        _names("imaplib", "IMAP4 IMAP4_SSL")
        + _names(
            "imaplib.IMAP4",
            "append authenticate check close copy create delete examine expunge fetch list"
            " login logout lsub noop rename search select starttls status store subscribe uid",
        ),
        "talks to an IMAP server and waits for it",
        f"use `aioimaplib` or {_TO_THREAD}",
    ),
    _block(
        _names("poplib", "POP3 POP3_SSL")
        + _names("poplib.POP3", "apop dele list noop pass_ quit retr rset stat stls top uidl user"),
        "talks to a POP3 server and waits for it",
        f"use {_TO_THREAD}",
    ),
    _block(
        # pysftp: the Connection connects in its constructor.
        _names("pysftp", "Connection")
        + _names(
            "pysftp.Connection",
            "chdir chmod cwd execute exists get get_d get_r getfo isdir isfile listdir"
            " listdir_attr makedirs mkdir put put_d put_r putfo remove rename rmdir stat walktree",
        ),
        "talks to an SSH server and waits for it",
        f"use `asyncssh` or {_TO_THREAD}",
    ),
    _block(
        # dnspython's sync resolver and queries (dns.asyncresolver / dns.asyncquery are async).
        _names("dns.resolver", "canonical_name query resolve resolve_address resolve_name zone_for_name")
        + _names("dns.resolver.Resolver", "canonical_name query resolve resolve_address resolve_name")
        + _names("dns.query", "https inbound_xfr quic tcp tls udp udp_with_fallback xfr"),
        _DNS_WHAT,
        f"use `dns.asyncresolver` (`await dns.asyncresolver.resolve(...)`) or {_TO_THREAD}",
    ),
    _block(
        # PyJWT fetches the JWKS over HTTP (urllib) when its cache misses.
        _names(
            "jwt.PyJWKClient",
            "fetch_data get_jwk_set get_signing_key get_signing_key_from_jwt get_signing_keys",
        ),
        _HTTP_WHAT,
        f"use an async client to fetch the key set and build `jwt.PyJWKSet` from it, or {_TO_THREAD}",
    ),
    _block(
        # PyVISA instruments (GPIB, USB, serial, TCP): every exchange waits for the device.
        _names("pyvisa.ResourceManager", "open_resource")
        + _names(
            "pyvisa.resources.MessageBasedResource",
            "query query_ascii_values query_binary_values read read_ascii_values read_binary_values"
            " read_bytes read_raw write write_ascii_values write_binary_values write_raw",
        ),
        "talks to an instrument and waits for it",
        f"use {_TO_THREAD} (one thread per instrument, or an executor)",
    ),
)

# SDKs of hosted services: their sync clients send one HTTP request per call.
# The async clients (openai.AsyncOpenAI, anthropic.AsyncAnthropic ...) are in
# COROUTINE_FUNCTIONS; a client's resources are reached through ATTRIBUTE_TYPES
# (``client.chat.completions.create``).
_OPENAI_SYNC = (
    _names("openai.resources.chat.Completions", "create parse stream")
    + _names("openai.resources.Completions", "create")
    + _names("openai.resources.Embeddings", "create")
    + _names("openai.resources.Images", "create_variation edit generate")
    + _names("openai.resources.audio.Speech", "create")
    + _names("openai.resources.audio.Transcriptions", "create")
    + _names("openai.resources.audio.Translations", "create")
    + _names("openai.resources.Moderations", "create")
    + _names("openai.resources.Models", "delete list retrieve")
    + _names("openai.resources.Files", "content create delete list retrieve")
    + _names("openai.resources.responses.Responses", "cancel create delete parse retrieve stream")
    # The module-level client: ``openai.chat.completions.create(...)``.
    + _names("openai.chat.completions", "create parse")
    + _names("openai.completions", "create")
    + _names("openai.embeddings", "create")
    + _names("openai.images", "create_variation edit generate")
    + _names("openai.audio.speech", "create")
    + _names("openai.audio.transcriptions", "create")
    + _names("openai.audio.translations", "create")
    + _names("openai.moderations", "create")
    + _names("openai.responses", "create parse")
)
_ES_OPS = (
    "bulk clear_scroll count create delete delete_by_query exists explain get get_source index"
    " info mget msearch ping reindex scroll search search_template update update_by_query"
)
_ES_INDICES_OPS = (
    "analyze close create delete delete_alias exists exists_alias flush forcemerge get get_alias"
    " get_mapping get_settings open put_alias put_mapping put_settings refresh rollover stats"
    " update_aliases"
)

# Stripe's Python SDK: class methods of its resources call the API (the
# ``*_async`` twins are coroutines, in COROUTINE_FUNCTIONS).
_STRIPE_RESOURCE_NAMES = (
    "Account Balance BalanceTransaction Charge Coupon CreditNote Customer Dispute Event File"
    " Invoice InvoiceItem PaymentIntent PaymentLink PaymentMethod Payout Price Product"
    " PromotionCode Refund SetupIntent Subscription SubscriptionItem TaxRate Transfer"
    " checkout.Session billing_portal.Session"
)
_STRIPE_RESOURCES = _STRIPE_RESOURCE_NAMES.split()
_MODBUS_METHODS = (
    "connect read_coils read_discrete_inputs read_holding_registers read_input_registers"
    " write_coil write_coils write_register write_registers readwrite_registers execute"
)
_STRIPE_METHODS = "create retrieve modify delete list search cancel capture confirm pay void_invoice finalize_invoice"

#: python-gitlab: managers reached as attributes (``gl.projects``, ``project.mergerequests``)
#: and the objects their ``get``/``create`` return; every manager call and object action
#: is a request to the GitLab API.
_GL = "gitlab.v4.objects."
_GITLAB_MANAGERS: dict[str, tuple[str, str | None]] = {
    # attribute path (owner.attr) -> (manager class, class of the objects it returns)
    "gitlab.Gitlab.projects": ("ProjectManager", "Project"),
    "gitlab.Gitlab.groups": ("GroupManager", "Group"),
    "gitlab.Gitlab.users": ("UserManager", None),
    "gitlab.Gitlab.issues": ("IssueManager", None),
    "gitlab.Gitlab.mergerequests": ("MergeRequestManager", None),
    f"{_GL}Project.mergerequests": ("ProjectMergeRequestManager", "ProjectMergeRequest"),
    f"{_GL}Project.issues": ("ProjectIssueManager", "ProjectIssue"),
    f"{_GL}Project.pipelines": ("ProjectPipelineManager", "ProjectPipeline"),
    f"{_GL}Project.jobs": ("ProjectJobManager", "ProjectJob"),
    f"{_GL}Project.branches": ("ProjectBranchManager", None),
    f"{_GL}Project.commits": ("ProjectCommitManager", None),
    f"{_GL}Project.tags": ("ProjectTagManager", None),
    f"{_GL}Project.files": ("ProjectFileManager", None),
    f"{_GL}Project.members": ("ProjectMemberManager", None),
    f"{_GL}Project.releases": ("ProjectReleaseManager", None),
    f"{_GL}Project.labels": ("ProjectLabelManager", None),
    f"{_GL}Project.deployments": ("ProjectDeploymentManager", None),
    f"{_GL}Project.environments": ("ProjectEnvironmentManager", None),
    f"{_GL}Group.members": ("GroupMemberManager", None),
    f"{_GL}ProjectMergeRequest.notes": ("ProjectMergeRequestNoteManager", None),
    f"{_GL}ProjectIssue.notes": ("ProjectIssueNoteManager", None),
}
_GITLAB_ACTIONS = {
    "Project": "delete save",
    "Group": "delete save",
    "ProjectMergeRequest": "approve changes commits delete diffs merge participants pipelines rebase save unapprove",
    "ProjectIssue": "delete save",
    "ProjectPipeline": "cancel delete retry",
    "ProjectJob": "artifacts cancel erase play retry trace",
}
_GITLAB_REQUEST = (
    "sends a request to the GitLab API and waits for the answer",
    f"use an async GitLab client (`gidgetlab`) or {_TO_THREAD}",
)
#: PyGithub: every method here is a request to the GitHub API.
_GH = {
    "github.Github": "get_organization get_rate_limit get_repo get_user search_code search_issues"
                     " search_repositories search_users",
    "github.Repository.Repository": "add_to_collaborators compare create_file create_git_release"
                                    " create_issue create_pull delete_file edit get_branch get_branches"
                                    " get_collaborators get_commit get_commits get_contents get_issue"
                                    " get_issues get_labels get_pull get_pulls get_releases"
                                    " get_workflow_runs update_file",
    "github.PullRequest.PullRequest": "add_to_labels create_issue_comment create_review"
                                      " create_review_request edit get_commits get_files"
                                      " get_issue_comments get_review_comments get_reviews is_merged"
                                      " merge remove_from_labels",
    "github.Issue.Issue": "add_to_labels create_comment edit get_comments lock remove_from_labels unlock",
    "github.Organization.Organization": "create_repo get_members get_repo get_repos get_teams",
}

#: Operations of qdrant-client's clients (sync ``QdrantClient``, ``AsyncQdrantClient``).
_QDRANT_OPS = (
    "batch_update_points clear_payload collection_exists count create_collection"
    " create_payload_index create_snapshot delete delete_collection delete_payload"
    " delete_vectors discover get_collection get_collections overwrite_payload query"
    " query_batch_points query_points query_points_groups recommend recommend_batch"
    " recreate_collection retrieve scroll search search_batch search_groups set_payload"
    " update_collection update_vectors upload_collection upload_points upsert"
)
#: Firebase Admin SDK: Cloud Messaging sends and Auth's user management (each a request;
#: ``verify_id_token`` fetches Google's public keys when its cache is cold).
_FCM_OPS = (
    "send send_all send_each send_each_for_multicast send_multicast subscribe_to_topic"
    " unsubscribe_from_topic"
)
_FIREBASE_AUTH_OPS = (
    "create_custom_token create_user delete_user delete_users generate_email_verification_link"
    " generate_password_reset_link get_user get_user_by_email get_user_by_phone_number get_users"
    " list_users revoke_refresh_tokens set_custom_user_claims update_user verify_id_token"
    " verify_session_cookie"
)

#: The JSON-RPC calls of web3.py's ``w3.eth`` (sync ``Eth``, async ``AsyncEth``).
_ETH_METHODS = (
    "call estimate_gas fee_history get_balance get_block get_block_number get_code get_logs"
    " get_storage_at get_transaction get_transaction_count get_transaction_receipt"
    " send_raw_transaction send_transaction wait_for_transaction_receipt"
)

_BLOCKING_DEVICES_AND_SDKS = _merge(
    _block(
        _names("gitlab.Gitlab", "auth http_delete http_get http_list http_post http_put search")
        + [f"{_GL}{m}.{op}" for m, _ in _GITLAB_MANAGERS.values()
           for op in ("create", "delete", "list", "update")]
        + [f"{_GL}{cls}.{op}" for cls, ops in _GITLAB_ACTIONS.items() for op in ops.split()],
        *_GITLAB_REQUEST,
    ),
    # ``manager.get(id, lazy=True)`` makes no request: it only builds the object.
    _block(
        [f"{_GL}{m}.get" for m, _ in _GITLAB_MANAGERS.values()],
        *_GITLAB_REQUEST,
        (("lazy", 1, True),),
    ),
    _block(
        [f"{cls}.{op}" for cls, ops in _GH.items() for op in ops.split()],
        "sends a request to the GitHub API and waits for the answer",
        f"use an async GitHub client (`gidgethub`, `githubkit`) or {_TO_THREAD}",
    ),
    # ldap3 with its default (synchronous) strategy: every operation is a round trip.
    _block(
        _names(
            "ldap3.Connection",
            "abandon add bind compare delete extended modify modify_dn open rebind search"
            " start_tls unbind",
        )
        + _names("ldap3.extend.StandardExtendedOperations", "modify_password paged_search who_am_i"),
        "talks to the LDAP server and waits for it",
        f"use an asyncio LDAP client (`bonsai`) or {_TO_THREAD}",
    ),
    # HTML to PDF: layout and rendering take tens of milliseconds to seconds of CPU, and
    # WeasyPrint fetches the page's images and stylesheets; pdfkit runs wkhtmltopdf.
    _block(
        _names("weasyprint.HTML", "render write_pdf")
        + _names("weasyprint.document.Document", "write_pdf")
        + ["xhtml2pdf.pisa.CreatePDF"],
        "renders a PDF, which takes much CPU time",
        "run it in a process pool (`loop.run_in_executor(pool, ...)`) or a thread",
    ),
    _block(
        _names("pdfkit", "from_file from_string from_url"),
        "runs wkhtmltopdf and waits for it to finish",
        f"use `asyncio.create_subprocess_exec` or {_TO_THREAD}",
    ),
    _block(
        ["pywebpush.webpush", *_names("pywebpush.WebPusher", "send")],
        "sends an HTTP request to the push service and waits for the answer",
        f"run it with {_TO_THREAD}",
    ),
    _block(
        [f"stripe.{r}.{m}" for r in _STRIPE_RESOURCES for m in _STRIPE_METHODS.split()]
        + _names("stripe.StripeClient", "request"),
        "sends a request to the Stripe API and waits for the answer",
        f"use the SDK's `*_async` methods (`await stripe.Customer.retrieve_async(...)`) or {_TO_THREAD}",
    ),
    _block(
        _names("twilio.rest.api.v2010.account.message.MessageList", "create list page stream")
        + _names("twilio.rest.api.v2010.account.call.CallList", "create list page stream")
        + _names("twilio.rest.api.v2010.account.message.MessageContext", "fetch update delete")
        + _names("twilio.rest.api.v2010.account.call.CallContext", "fetch update delete"),
        "sends a request to the Twilio API and waits for the answer",
        f"use the SDK's `*_async` methods with an `AsyncTwilioHttpClient`, or {_TO_THREAD}",
    ),
    # web3.py's sync Web3: every ``w3.eth`` call is a JSON-RPC request to the node.
    _block(
        _names("web3.eth.Eth", _ETH_METHODS),
        "sends a JSON-RPC request to the Ethereum node and waits for the answer",
        f"use `web3.AsyncWeb3` with `AsyncHTTPProvider`, or {_TO_THREAD}",
    ),
    # slack_sdk's WebClient: every API method sends an HTTP request.
    _block(
        _names("slack_sdk.WebClient", "*"),
        "sends a request to the Slack API and waits for the answer",
        f"use `slack_sdk.web.async_client.AsyncWebClient`, or {_TO_THREAD}",
    ),
    # zeep (SOAP): every operation of ``client.service`` is an HTTP request.
    _block(
        _names("zeep.proxy.ServiceProxy", "*"),
        "sends a SOAP request and waits for the answer",
        f"use `zeep.AsyncClient` (`await client.service.Operation(...)`), or {_TO_THREAD}",
    ),
    # qdrant-client's sync QdrantClient (AsyncQdrantClient is the async twin).
    _block(
        _names("qdrant_client.QdrantClient", _QDRANT_OPS),
        "sends a request to the Qdrant server and waits for the answer",
        f"use `qdrant_client.AsyncQdrantClient`, or {_TO_THREAD}",
    ),
    # Firebase Admin SDK: Cloud Messaging and Auth calls are HTTP requests to Google.
    _block(
        _names("firebase_admin.messaging", _FCM_OPS) + _names("firebase_admin.auth", _FIREBASE_AUTH_OPS),
        "sends a request to Firebase and waits for the answer",
        f"run it with {_TO_THREAD}",
    ),
    # pytesseract runs the ``tesseract`` program and waits for it (seconds for a page).
    _block(
        _names(
            "pytesseract",
            "image_to_alto_xml image_to_boxes image_to_data image_to_osd image_to_pdf_or_hocr"
            " image_to_string get_languages get_tesseract_version run_and_get_output",
        ),
        "runs the tesseract OCR program and waits for it to finish",
        f"run it in a thread or a process pool ({_TO_THREAD})",
    ),
    _block(
        _names("urllib.robotparser.RobotFileParser", "read"),
        _HTTP_WHAT,
        f"use an async client to fetch robots.txt and `parse()` its lines, or {_TO_THREAD}",
    ),
    # pyserial: reads wait for bytes (up to the port's timeout, or for ever).
    _block(
        _names("serial.Serial", "read read_all read_until readline readlines write flush open"),
        "reads or writes a serial port and waits for the device",
        f"use `pyserial-asyncio` (`serial_asyncio.open_serial_connection`), or {_TO_THREAD}",
    ),
    # pymodbus's sync clients: each request waits for the device's answer.
    _block(
        [
            f"pymodbus.client.{client}.{method}"
            for client in ("ModbusTcpClient", "ModbusUdpClient", "ModbusSerialClient", "ModbusTlsClient")
            for method in _MODBUS_METHODS.split()
        ],
        "sends a Modbus request and waits for the device's answer",
        f"use pymodbus's `AsyncModbusTcpClient` (and the other async clients), or {_TO_THREAD}",
    ),
)

_BLOCKING_SERVICES = _merge(
    _block(
        _OPENAI_SYNC,
        "sends a request to the OpenAI API and waits for the answer",
        "use `openai.AsyncOpenAI` and await its methods, or " + _TO_THREAD,
    ),
    _block(
        # stream() sends the request when its ``with`` block is entered, at once.
        _names("anthropic.resources.Messages", "count_tokens create parse stream"),
        "sends a request to the Anthropic API and waits for the answer",
        "use `anthropic.AsyncAnthropic` and await its methods, or " + _TO_THREAD,
    ),
    _block(
        _names(
            "google.cloud.storage.Client",
            "create_bucket download_blob_to_file get_bucket list_blobs list_buckets lookup_bucket",
        )
        + _names(
            "google.cloud.storage.Bucket",
            "copy_blob create delete delete_blob delete_blobs exists get_blob list_blobs"
            " make_private make_public patch reload rename_blob update",
        )
        + _names(
            "google.cloud.storage.Blob",
            "compose delete download_as_bytes download_as_string download_as_text download_to_file"
            " download_to_filename exists make_private make_public patch reload rewrite update"
            " upload_from_file upload_from_filename upload_from_string",
        ),
        "calls the Google Cloud Storage API and waits for the answer",
        f"use `gcloud-aio-storage` or {_TO_THREAD}",
    ),
    _block(
        _names("elasticsearch.Elasticsearch", _ES_OPS)
        + _names("elasticsearch.client.IndicesClient", _ES_INDICES_OPS)
        # scan() and the streaming helpers are generators, iterated at once.
        + _names("elasticsearch.helpers", "bulk parallel_bulk reindex scan streaming_bulk"),
        *_db("Elasticsearch cluster", "`elasticsearch.AsyncElasticsearch`"),
    ),
    # paho-mqtt: publish() and disconnect() only queue a packet on a
    # non-blocking socket (the network loop sends it): they are left out.
    _block(
        _names("paho.mqtt.client.Client", "connect connect_srv loop_forever reconnect")
        + _names("paho.mqtt.client.MQTTMessageInfo", "wait_for_publish")
        + _names("paho.mqtt.publish", "multiple single")
        + _names("paho.mqtt.subscribe", "callback simple"),
        "talks to an MQTT broker and waits for it",
        f"use `aiomqtt` or {_TO_THREAD}",
    ),
    _block(
        ["paho.mqtt.client.Client.loop"],
        "waits for MQTT network traffic",
        f"use `aiomqtt`, `loop_start()` (a thread of its own) or {_TO_THREAD}",
        _NO_TIMEOUT_0,
    ),
    # kafka-python: the constructors bootstrap against the cluster (unless given
    # api_version); send() waits for metadata and for room in a full buffer.
    _block(
        _names("kafka", "KafkaConsumer KafkaProducer")
        + _names("kafka.KafkaProducer", "close flush send")
        + _names("kafka.KafkaConsumer", "close commit"),
        "talks to the Kafka cluster and waits for it",
        f"use `aiokafka` or {_TO_THREAD}",
    ),
    _block(
        ["kafka.producer.future.FutureRecordMetadata.get"],
        "waits for the Kafka cluster to acknowledge a message",
        f"use `aiokafka` or {_TO_THREAD}",
        _NO_TIMEOUT_0,
    ),
    # pika's BlockingConnection: every channel method is a round trip to the
    # broker. process_data_events() returns at once by default (time_limit=0).
    _block(
        _names("pika", "BlockingConnection")
        + _names("pika.BlockingConnection", "channel close sleep")
        + _names(
            "pika.adapters.blocking_connection.BlockingChannel",
            "basic_consume basic_get basic_publish basic_qos basic_recover close"
            " confirm_delivery consume exchange_bind exchange_declare exchange_delete queue_bind"
            " queue_declare queue_delete queue_purge queue_unbind start_consuming",
        ),
        "talks to the RabbitMQ broker and waits for it",
        f"use `aio-pika` or {_TO_THREAD}",
    ),
)

_BLOCKING_FILES = _merge(
    _block(["builtins.open", "io.open"], "opens a file on disk", _FILE_INSTEAD),
    _block(
        _names(
            "pathlib.Path",
            "copy copy_into mkdir move move_into open read_bytes read_text rename replace"
            " rmdir touch unlink write_bytes write_text",
        ),
        _FILE_WHAT,
        _FILE_INSTEAD,
    ),
    _block(
        _names("pathlib.Path", "glob iterdir rglob walk")
        + _names("os", "fwalk listdir scandir walk")
        + _names("glob", "glob iglob"),
        _DIR_WHAT,
        _FILE_INSTEAD,
    ),
    _block(
        _names(
            "os",
            "copy_file_range fdatasync fsync makedirs mkdir read remove removedirs rename"
            " replace rmdir sendfile truncate unlink write",
        ),
        _FILE_WHAT,
        f"use {_TO_THREAD} or `aiofiles.os`",
    ),
    _block(
        _names(
            "shutil",
            "chown copy copy2 copyfile copyfileobj copytree disk_usage make_archive move"
            " rmtree unpack_archive",
        ),
        _FILE_WHAT,
        f"run it with {_TO_THREAD}",
    ),
)

# Archives and images: opening by path reads the disk; given an io.BytesIO
# they read memory. gzip.GzipFile (and bz2.BZ2File, lzma.LZMAFile) are left
# out: they are nearly always handed a file object (``fileobj=``), and the
# tables cannot tell a path from a file object other than an in-memory one.
# Reads of an archive opened by path come after the open, which is reported.
_ARCHIVE_INSTEAD = (
    f"run it with {_TO_THREAD}, or read the bytes first and open `io.BytesIO(data)`"
)
_ARRAY_WRITE = (
    "writes an array file to disk",
    f"run it with {_TO_THREAD}, or write to an `io.BytesIO()` and write that with `aiofiles`",
)
_BLOCKING_ARCHIVES = _merge(
    _block(
        _names("gzip", "open") + _names("bz2", "open") + _names("lzma", "open"),
        "opens a compressed file on disk",
        _ARCHIVE_INSTEAD,
        _in_memory(("filename", 0)),
    ),
    _block(
        ["zipfile.ZipFile"],
        "opens a zip archive on disk",
        _ARCHIVE_INSTEAD,
        _in_memory(("file", 0)),
    ),
    _block(
        ["tarfile.open"],
        "opens a tar archive on disk",
        _ARCHIVE_INSTEAD,
        _in_memory(("name", 0), ("fileobj", 2)),
    ),
    _block(
        _names("zipfile.ZipFile", "extract extractall write")
        + _names("tarfile.TarFile", "add extract extractall"),
        "reads or writes files on disk",
        f"run it with {_TO_THREAD}",
    ),
    _block(
        ["PIL.Image.open"],
        "opens an image file on disk",
        _ARCHIVE_INSTEAD,
        _in_memory(("fp", 0)),
    ),
    _block(
        ["PIL.Image.Image.save"],
        "writes an image file to disk",
        f"run it with {_TO_THREAD}, or save to an `io.BytesIO()` and write that with `aiofiles`",
        _in_memory(("fp", 0)),
    ),
    # numpy's array files (point clouds, embeddings, frames: megabytes to gigabytes).
    _block(
        _names("numpy", "load fromfile"), "reads an array file from disk", _ARCHIVE_INSTEAD,
        _in_memory(("file", 0)),
    ),
    _block(
        _names("numpy", "loadtxt genfromtxt"), "reads an array file from disk", _ARCHIVE_INSTEAD,
        _in_memory(("fname", 0)),
    ),
    _block(
        _names("numpy", "save savez savez_compressed"), *_ARRAY_WRITE, _in_memory(("file", 0)),
    ),
    _block(_names("numpy", "savetxt"), *_ARRAY_WRITE, _in_memory(("fname", 0))),
    _block(_names("numpy.ndarray", "tofile"), *_ARRAY_WRITE, _in_memory(("fid", 0))),
)

# Loading certificates reads and parses files; ssl.create_default_context()
# loads the system's whole CA bundle (tens of milliseconds).  Applications
# often make their context once in a cached helper: such a chain is preview
# evidence (see ``Blocked.memoised``), and one helper reached from many
# places is reported once, where it makes the call.
_BLOCKING_CERTIFICATES = _merge(
    _block(
        _names(
            "ssl.SSLContext",
            "load_cert_chain load_default_certs load_verify_locations set_default_verify_paths",
        ),
        "reads and parses certificate files",
        f"use one context made at start-up and reused, or {_TO_THREAD}",
    ),
    # A server's context (``Purpose.CLIENT_AUTH``) verifies no client by default, so it
    # loads no CA bundle (unless ``cafile``/``capath``/``cadata`` name one, which is rare).
    _block(
        ["ssl.create_default_context"],
        "reads and parses certificate files",
        f"use one context made at start-up and reused, or {_TO_THREAD}",
        (("purpose", 0, "ssl.Purpose.CLIENT_AUTH"),),
    ),
)

# Importing a module finds, reads and compiles its files and runs its code;
# only an import already done returns at once.
_BLOCKING_IMPORTS = _block(
    ["importlib.import_module", "builtins.__import__", "importlib.reload"],
    "imports a module: it reads and compiles its files and runs its code",
    f"use a top-level import (done once, at start-up), or {_TO_THREAD}",
)

_BLOCKING_PROCESSES = _merge(
    _block(
        _names("subprocess", "call check_call check_output getoutput getstatusoutput run")
        + _names("os", "popen system wait")
        + _names("subprocess.Popen", "communicate"),
        _SUBPROCESS_WHAT,
        _SUBPROCESS_INSTEAD,
    ),
    _block(["os.waitpid"], _SUBPROCESS_WHAT, _SUBPROCESS_INSTEAD, (("options", 1, "os.WNOHANG"),)),
    _block(["os.wait4"], _SUBPROCESS_WHAT, _SUBPROCESS_INSTEAD, (("options", 1, "os.WNOHANG"),)),
    _block(["subprocess.Popen.wait"], _SUBPROCESS_WHAT, _SUBPROCESS_INSTEAD, _NO_TIMEOUT_0),
)

_BLOCKING_DATABASES = _merge(
    # sqlite3
    _block(["sqlite3.connect"], *_SQLITE, (("database", 0, IN_MEMORY_DATABASE),)),
    _block(
        _names("sqlite3.Connection", "backup commit execute executemany executescript rollback")
        + _names("sqlite3.Cursor", "execute executemany executescript fetchall fetchmany fetchone"),
        *_SQLITE,
    ),
    # psycopg2: the default cursor holds the whole result after execute().
    _block(
        _names("psycopg2", "connect")
        + _names("psycopg2.extensions.connection", "commit rollback")
        + _names(
            "psycopg2.extensions.cursor",
            "callproc copy_expert copy_from copy_to execute executemany",
        ),
        *_PG,
    ),
    # psycopg 3, sync side (psycopg.AsyncConnection is the async one).
    _block(
        _names("psycopg", "connect")
        + _names("psycopg.Connection", "commit connect execute rollback")
        + _names("psycopg.Cursor", "callproc execute executemany")
        + _names("psycopg.ServerCursor", "fetchall fetchmany fetchone"),
        *_PG,
    ),
    # PyMySQL: the constructor connects; only the unbuffered cursor fetches lazily.
    _block(
        _names("pymysql", "connect")
        + _names("pymysql.connections", "Connection")
        + _names("pymysql.connections.Connection", "begin commit ping rollback select_db")
        + _names("pymysql.cursors.Cursor", "callproc execute executemany")
        + _names("pymysql.cursors.SSCursor", "fetchall fetchmany fetchone"),
        *_MYSQL,
    ),
    # mysql-connector: cursors are unbuffered by default, so fetching reads the network.
    _block(
        _names("mysql.connector", "connect")
        + _names(
            "mysql.connector.abstracts.MySQLConnectionAbstract",
            "cmd_query commit ping reconnect rollback",
        )
        + _names(
            "mysql.connector.abstracts.MySQLCursorAbstract",
            "callproc execute executemany fetchall fetchmany fetchone",
        ),
        *_MYSQL,
    ),
    # pymongo: collection operations; find() runs as its cursor is iterated.
    _block(
        _names(
            "pymongo.MongoClient", "drop_database list_database_names list_databases server_info"
        )
        + _names(
            "pymongo.database.Database",
            "command create_collection drop_collection list_collection_names list_collections",
        )
        + _names(
            "pymongo.collection.Collection",
            f"{_MONGO_COLLECTION_OPS} aggregate find list_indexes watch",
        ),
        *_MONGO,
    ),
    # redis-py, sync side (redis.asyncio is the async one).
    _block(
        _names("redis.Redis", _REDIS_COMMANDS)
        + _names("redis.client.Pipeline", "execute watch")
        + _names("redis.client.PubSub", "listen psubscribe punsubscribe subscribe unsubscribe")
        + _names("redis.lock.Lock", "release"),
        *_REDIS,
    ),
    {
        "redis.lock.Lock.acquire": Blocking(
            *_REDIS, (("blocking", 1, False), ("blocking_timeout", 2, 0))
        ),
    },
    # SQLAlchemy, sync side. Session.query() is lazy; its Query runs on all()/first()...
    _block(
        _names("sqlalchemy.orm.Session", "commit execute flush get refresh rollback scalar scalars")
        + _names("sqlalchemy.orm.Query", "all count first one one_or_none scalar")
        + _names(
            "sqlalchemy.engine.Connection",
            "commit exec_driver_sql execute rollback scalar scalars",
        ),
        *_SQLA,
    ),
)

_BLOCKING_SOCKETS = _merge(
    _block(
        _names("socket", "create_connection")
        + _names("socket.socket", "accept recv recv_into recvfrom recvfrom_into recvmsg sendall sendfile")
        + _names("ssl.SSLSocket", "do_handshake"),
        _SOCKET_WHAT,
        _SOCKET_INSTEAD,
    ),
    # On a UDP socket (the walk marks calls on a name bound to ``socket(..., SOCK_DGRAM)``)
    # ``connect`` only picks a route, and a datagram is sent without waiting for a peer.
    _block(
        _names("socket.socket", "connect connect_ex send sendmsg sendto"),
        _SOCKET_WHAT,
        _SOCKET_INSTEAD,
        (("udp", -1, True),),
    ),
    _block(
        _names("socket", "getfqdn gethostbyaddr gethostbyname gethostbyname_ex"),
        _DNS_WHAT,
        _DNS_INSTEAD,
    ),
    # Numeric-only look-ups parse the address and never ask a resolver.
    _block(["socket.getaddrinfo"], _DNS_WHAT, _DNS_INSTEAD, (("flags", 5, "socket.AI_NUMERICHOST"),)),
    _block(["socket.getnameinfo"], _DNS_WHAT, _DNS_INSTEAD, (("flags", 1, "socket.NI_NUMERICHOST"),)),
    _block(
        ["select.select"],
        "waits for file descriptors to become ready",
        "let the event loop wait (`loop.add_reader`, streams, `sock_*` coroutines)",
        (("timeout", 3, 0),),
    ),
    _block(
        ["selectors.BaseSelector.select"],
        "waits for file descriptors to become ready",
        "let the event loop wait (`loop.add_reader`, streams, `sock_*` coroutines)",
        _NO_TIMEOUT_0,
    ),
)

_BLOCKING_THREADS = _merge(
    _block(
        _names("threading.Lock", "acquire")
        + _names("threading.RLock", "acquire")
        + _names("threading.Semaphore", "acquire"),
        _LOCK_WHAT,
        _LOCK_INSTEAD,
        (("blocking", 0, False), ("timeout", 1, 0)),
    ),
    _block(
        _names("threading.Event", "wait")
        + _names("threading.Condition", "wait")
        + _names("threading.Barrier", "wait"),
        _LOCK_WHAT,
        _LOCK_INSTEAD,
        _NO_TIMEOUT_0,
    ),
    _block(["threading.Condition.wait_for"], _LOCK_WHAT, _LOCK_INSTEAD, (("timeout", 1, 0),)),
    _block(
        ["threading.Thread.join", "multiprocessing.Process.join"],
        "waits for a thread or process to finish",
        f"run the join with {_TO_THREAD}, or keep the work in asyncio tasks",
        _NO_TIMEOUT_0,
    ),
    # Queues: get() waits; put() only waits on a bounded queue, so it is left out.
    _block(
        ["queue.Queue.get", "queue.SimpleQueue.get", "multiprocessing.queues.Queue.get"],
        _QUEUE_WHAT,
        _QUEUE_INSTEAD,
        (("block", 0, False), ("timeout", 1, 0)),
    ),
    _block(
        [
            "queue.Queue.join",
            "multiprocessing.queues.JoinableQueue.join",
            "multiprocessing.queues.SimpleQueue.get",
        ],
        _QUEUE_WHAT,
        _QUEUE_INSTEAD,
    ),
    # Pools and futures.
    _block(
        _names("multiprocessing.pool.Pool", "apply imap imap_unordered join map starmap"),
        _FUTURE_WHAT,
        _POOL_INSTEAD,
    ),
    _block(
        _names("multiprocessing.pool.AsyncResult", "get wait"),
        _FUTURE_WHAT,
        _POOL_INSTEAD,
        _NO_TIMEOUT_0,
    ),
    _block(
        _names("concurrent.futures.Future", "exception result"),
        _FUTURE_WHAT,
        _FUTURE_INSTEAD,
        _NO_TIMEOUT_0,
    ),
    _block(
        ["concurrent.futures.wait"],
        _FUTURE_WHAT,
        "use `await asyncio.wait(...)`",
        (("timeout", 1, 0),),
    ),
    _block(
        ["concurrent.futures.as_completed", "concurrent.futures.Executor.map"],
        _FUTURE_WHAT,
        _FUTURE_INSTEAD,
    ),
    _block(
        ["concurrent.futures.Executor.shutdown"],
        "waits for every pending job of the executor",
        f"use `shutdown(wait=False)`, or {_TO_THREAD}",
        (("wait", 0, False),),
    ),
)

# passlib's ready-made handlers are classes with hash()/verify() class methods.
_PASSLIB_HANDLERS = _names(
    "passlib.hash",
    "argon2 bcrypt bcrypt_sha256 pbkdf2_sha256 pbkdf2_sha512 scrypt sha256_crypt sha512_crypt",
)

_BLOCKING_CPU = _block(
    _names("hashlib", "pbkdf2_hmac scrypt")
    + _names("bcrypt", "checkpw hashpw kdf")
    + _names("argon2.PasswordHasher", "hash verify")
    + _names("passlib.context.CryptContext", "hash verify verify_and_update")
    + [name for handler in _PASSLIB_HANDLERS for name in _names(handler, "hash verify")],
    _CPU_WHAT,
    _CPU_INSTEAD,
)

_BLOCKING_MISC = _merge(
    _block(
        ["builtins.input", "getpass.getpass"],
        "waits for the user to type a line",
        f"use {_TO_THREAD}, or read stdin through `loop.connect_read_pipe`",
    ),
    _block(
        _names("signal", "pause sigwait sigwaitinfo"),
        "waits for a signal",
        "use `loop.add_signal_handler(...)`",
    ),
)

# --------------------------------------------------------------------------
# Sync clients of infrastructure, data, API and media libraries that async
# applications call by mistake.  Local calls (constructors that do not
# connect, builders, properties, URL helpers) are left out; a constructor
# that connects is listed as such.
# --------------------------------------------------------------------------

#: The typed APIs of the official Kubernetes client (``kubernetes.client``):
#: every public method but ``close`` (NOT_BLOCKING) is a request to the API server.
_K8S_API_NAMES = (
    "AdmissionregistrationV1Api ApiextensionsV1Api AppsV1Api AutoscalingV1Api AutoscalingV2Api"
    " BatchV1Api CertificatesV1Api CoordinationV1Api CoreV1Api CustomObjectsApi DiscoveryV1Api"
    " EventsV1Api NetworkingV1Api PolicyV1Api RbacAuthorizationV1Api SchedulingV1Api"
    " StorageV1Api VersionApi"
)
_K8S_APIS = _K8S_API_NAMES.split()
_DM = "docker.models."
#: docker SDK: the collections of a DockerClient and the objects they hand out.
_DOCKER_OPS = {
    f"{_DM}containers.ContainerCollection": "create get list prune run",
    f"{_DM}containers.Container": "attach attach_socket commit diff exec_run export get_archive"
                                  " kill logs pause put_archive reload remove rename resize"
                                  " restart start stats stop top unpause update wait",
    f"{_DM}images.ImageCollection": "build get get_registry_data list load prune pull push"
                                    " remove search",
    f"{_DM}images.Image": "history reload remove save tag",
    f"{_DM}networks.NetworkCollection": "create get list prune",
    f"{_DM}networks.Network": "connect disconnect reload remove",
    f"{_DM}volumes.VolumeCollection": "create get list prune",
    f"{_DM}volumes.Volume": "reload remove",
}
_BQ = "google.cloud.bigquery."
_BQ_JOBS = ("QueryJob", "LoadJob", "CopyJob", "ExtractJob")
_FS = "google.cloud.firestore."
_AZ = "azure.storage.blob."
_AZ_SERVICE_OPS = (
    "create_container delete_container get_account_information get_service_properties"
    " get_service_stats get_user_delegation_key set_service_properties undelete_container"
)
_AZ_CONTAINER_OPS = (
    "acquire_lease create_container delete_blob delete_blobs delete_container download_blob"
    " exists get_account_information get_container_access_policy get_container_properties"
    " set_container_access_policy set_container_metadata upload_blob"
)
_AZ_BLOB_OPS = (
    "abort_copy acquire_lease append_block commit_block_list create_append_blob"
    " create_page_blob create_snapshot delete_blob download_blob exists get_account_information"
    " get_blob_properties get_blob_tags get_block_list query_blob set_blob_metadata"
    " set_blob_tags set_http_headers set_standard_blob_tier stage_block start_copy_from_url"
    " undelete_blob upload_blob upload_blob_from_url upload_page"
)
_AZ_DOWNLOAD_OPS = "content_as_bytes content_as_text download_to_stream read readall readinto"
#: neo4j: the result's methods read the rest of the records from the server.
_NEO4J_RESULT_OPS = "consume data fetch graph peek single to_df to_eager_result value values"
_CLICKHOUSE_CONNECT_OPS = (
    "command insert insert_arrow insert_df ping query query_arrow query_df query_np raw_insert"
    " raw_query"
)
_ORACLE_CURSOR_OPS = "callfunc callproc execute executemany fetchall fetchmany fetchone"
#: ccxt: the unified API of every exchange (``ccxt.async_support`` has the same, async).
#: load_markets() is left out of the sync side: it only asks once, then answers from memory.
_CCXT_OPS = (
    "cancel_all_orders cancel_order cancel_orders create_limit_buy_order create_limit_order"
    " create_limit_sell_order create_market_buy_order create_market_order"
    " create_market_sell_order create_order edit_order fetch_balance fetch_closed_orders"
    " fetch_currencies fetch_deposit_address fetch_deposits fetch_funding_rate fetch_ledger"
    " fetch_markets fetch_my_trades fetch_ohlcv fetch_open_orders fetch_order fetch_order_book"
    " fetch_orders fetch_position fetch_positions fetch_status fetch_ticker fetch_tickers"
    " fetch_time fetch_trades fetch_withdrawals set_leverage set_margin_mode transfer withdraw"
)
_CCXT_EXCHANGE_NAMES = (
    "binance binancecoinm binanceusdm bingx bitfinex bitget bitstamp bitvavo bybit coinbase"
    " coinbaseexchange cryptocom deribit gate htx hyperliquid kraken krakenfutures kucoin"
    " kucoinfutures mexc okx phemex upbit"
)
_CCXT_EXCHANGES = _CCXT_EXCHANGE_NAMES.split()
_GEOCODER_NAMES = (
    "ArcGIS AzureMaps Baidu BaiduV3 Bing GeoNames GoogleV3 Here HereV7 MapBox MapQuest"
    " Nominatim OpenCage Pelias Photon TomTom Yandex"
)
_GEOCODERS = _GEOCODER_NAMES.split()
_GSPREAD_WORKSHEET_OPS = (
    "acell append_row append_rows batch_clear batch_format batch_get batch_update cell clear"
    " col_values copy_to delete_columns delete_rows duplicate find findall format freeze get"
    " get_all_cells get_all_records get_all_values get_values insert_cols insert_row"
    " insert_rows merge_cells range resize row_values sort update update_acell update_cell"
    " update_cells update_title"
)
_GSPREAD_SPREADSHEET_OPS = (
    "add_worksheet batch_update del_worksheet duplicate_sheet export fetch_sheet_metadata"
    " get_worksheet get_worksheet_by_id list_permissions share update_title values_append"
    " values_batch_get values_batch_update values_clear values_get values_update worksheet"
    " worksheets"
)
#: pyTelegramBotAPI: the Bot API methods in common use (each an HTTP request); the
#: handler decorators and registrations are local.
_TELEBOT_OPS = (
    "answer_callback_query answer_inline_query ban_chat_member copy_message delete_message"
    " delete_webhook download_file edit_message_caption edit_message_media"
    " edit_message_reply_markup edit_message_text forward_message get_chat"
    " get_chat_administrators get_chat_member get_file get_me get_updates"
    " get_user_profile_photos get_webhook_info kick_chat_member leave_chat pin_chat_message"
    " remove_webhook reply_to restrict_chat_member send_animation send_audio send_chat_action"
    " send_contact send_dice send_document send_location send_media_group send_message"
    " send_photo send_poll send_sticker send_venue send_video send_voice set_my_commands"
    " set_webhook unban_chat_member unpin_chat_message"
)
_MEMCACHE_OPS = (
    "add append cas decr delete delete_many delete_multi flush_all get get_many get_multi gets"
    " gets_many incr prepend replace set set_many set_multi touch"
)
_TWEEPY_OPS = (
    "create_tweet delete_tweet follow_user get_home_timeline get_liked_tweets get_me get_tweet"
    " get_tweets get_user get_users get_users_followers get_users_following get_users_mentions"
    " get_users_tweets like retweet search_all_tweets search_recent_tweets unfollow_user unlike"
)
_KV_OPS = (
    "create_or_update_secret delete_latest_version_of_secret delete_metadata_and_all_versions"
    " delete_secret_versions destroy_secret_versions list_secrets patch read_secret"
    " read_secret_metadata read_secret_version undelete_secret_versions update_metadata"
)
#: hvac: ``client.secrets.<attribute>`` and ``client.auth.<attribute>`` -> their class in
#: ``hvac.api.secrets_engines`` / ``hvac.api.auth_methods``. Every public method of these
#: classes is a request to Vault (but the local helpers in NOT_BLOCKING).
_HVAC_SECRETS_ENGINES = {
    "aws": "Aws", "azure": "Azure", "database": "Database", "gcp": "Gcp", "ldap": "Ldap",
    "pki": "Pki", "ssh": "Ssh", "transit": "Transit",
}
_HVAC_AUTH_METHODS = {
    "approle": "AppRole", "aws": "Aws", "azure": "Azure", "cert": "Cert", "gcp": "Gcp",
    "github": "Github", "jwt": "JWT", "kubernetes": "Kubernetes", "ldap": "Ldap", "oidc": "OIDC",
    "okta": "Okta", "radius": "Radius", "token": "Token", "userpass": "Userpass",
}

_FS_QUERY_BUILDERS = (
    "end_at end_before limit limit_to_last offset order_by select start_after start_at where"
)
#: kubernetes_asyncio: the same generated APIs, whose methods return coroutines (the
#: common ones are listed: there are hundreds, and no wildcard for coroutines).
_K8S_ASYNC_OPS = {
    "CoreV1Api": "create_namespace create_namespaced_config_map create_namespaced_persistent_volume_claim"
                 " create_namespaced_pod create_namespaced_secret create_namespaced_service"
                 " create_namespaced_service_account delete_namespace delete_namespaced_config_map"
                 " delete_namespaced_persistent_volume_claim delete_namespaced_pod"
                 " delete_namespaced_secret delete_namespaced_service list_namespace"
                 " list_namespaced_config_map list_namespaced_endpoints list_namespaced_event"
                 " list_namespaced_persistent_volume_claim list_namespaced_pod"
                 " list_namespaced_secret list_namespaced_service list_namespaced_service_account"
                 " list_node list_pod_for_all_namespaces patch_namespaced_config_map"
                 " patch_namespaced_pod patch_namespaced_secret patch_namespaced_service"
                 " read_namespace read_namespaced_config_map read_namespaced_endpoints"
                 " read_namespaced_pod read_namespaced_pod_log read_namespaced_secret"
                 " read_namespaced_service read_node replace_namespaced_config_map"
                 " replace_namespaced_secret",
    "AppsV1Api": "create_namespaced_deployment create_namespaced_stateful_set"
                 " delete_namespaced_deployment delete_namespaced_stateful_set"
                 " list_deployment_for_all_namespaces list_namespaced_daemon_set"
                 " list_namespaced_deployment list_namespaced_replica_set list_namespaced_stateful_set"
                 " patch_namespaced_daemon_set patch_namespaced_deployment"
                 " patch_namespaced_deployment_scale patch_namespaced_stateful_set"
                 " read_namespaced_daemon_set read_namespaced_deployment"
                 " read_namespaced_deployment_scale read_namespaced_deployment_status"
                 " read_namespaced_stateful_set replace_namespaced_deployment"
                 " replace_namespaced_deployment_scale",
    "BatchV1Api": "create_namespaced_cron_job create_namespaced_job delete_namespaced_cron_job"
                  " delete_namespaced_job list_job_for_all_namespaces list_namespaced_cron_job"
                  " list_namespaced_job patch_namespaced_cron_job patch_namespaced_job"
                  " read_namespaced_cron_job read_namespaced_job read_namespaced_job_status",
    "CustomObjectsApi": "create_cluster_custom_object create_namespaced_custom_object"
                        " delete_cluster_custom_object delete_namespaced_custom_object"
                        " get_cluster_custom_object get_namespaced_custom_object"
                        " get_namespaced_custom_object_status list_cluster_custom_object"
                        " list_custom_object_for_all_namespaces list_namespaced_custom_object"
                        " patch_cluster_custom_object patch_namespaced_custom_object"
                        " patch_namespaced_custom_object_status replace_namespaced_custom_object",
    "NetworkingV1Api": "create_namespaced_ingress create_namespaced_network_policy"
                       " delete_namespaced_ingress delete_namespaced_network_policy"
                       " list_ingress_for_all_namespaces list_namespaced_ingress"
                       " list_namespaced_network_policy patch_namespaced_ingress"
                       " read_namespaced_ingress replace_namespaced_ingress",
}


def _request_to(service: str) -> str:
    return f"sends a request to {service} and waits for the answer"


_BLOCKING_INFRASTRUCTURE = _merge(
    # kubernetes: ``async_req=True`` hands the request to the client's thread pool.
    _block(
        [f"kubernetes.client.{api}.*" for api in _K8S_APIS],
        _request_to("the Kubernetes API"),
        f"use `kubernetes_asyncio` (the same API, awaited) or {_TO_THREAD}",
        (("async_req", -1, True),),
    ),
    # stream() runs a command in a pod over a websocket; Watch.stream() is a
    # generator of events, iterated at once; create_from_yaml sends each object.
    _block(
        ["kubernetes.stream.stream", "kubernetes.watch.Watch.stream", "kubernetes.utils.create_from_yaml"],
        _request_to("the Kubernetes API"),
        f"use `kubernetes_asyncio` (the same API, awaited) or {_TO_THREAD}",
    ),
    # docker SDK: the client asks the daemon its API version as it is made (unless
    # given ``version=``); every collection and object method is a daemon request.
    _block(
        _names("docker", "DockerClient from_env")
        + _names("docker.DockerClient", "df events from_env info login ping version")
        + [f"{cls}.{op}" for cls, ops in _DOCKER_OPS.items() for op in ops.split()],
        _request_to("the Docker daemon"),
        f"use `aiodocker` or {_TO_THREAD}",
    ),
    # confluent-kafka: produce() only queues (left out), and commit() is
    # asynchronous unless given ``asynchronous=False``, which the tables cannot
    # require: it is left out. poll() and flush() wait up to their timeout
    # (for ever by default): ``poll(0)`` returns at once.
    _block(
        _names("confluent_kafka.Producer", "flush poll")
        + _names("confluent_kafka.Consumer", "poll"),
        "waits for the Kafka cluster (up to its timeout)",
        f"use `confluent_kafka.aio` (`AIOProducer`, `AIOConsumer`), `aiokafka`, or {_TO_THREAD}",
        _NO_TIMEOUT_0,
    ),
    _block(
        ["confluent_kafka.Consumer.consume"],
        "waits for the Kafka cluster (up to its timeout)",
        f"use `confluent_kafka.aio` (`AIOProducer`, `AIOConsumer`), `aiokafka`, or {_TO_THREAD}",
        (("timeout", 1, 0),),
    ),
    _block(
        _names(
            "confluent_kafka.Producer",
            "abort_transaction commit_transaction init_transactions list_topics"
            " send_offsets_to_transaction",
        )
        + _names("confluent_kafka.Consumer", "close committed list_topics offsets_for_times")
        + ["confluent_kafka.admin.AdminClient.list_topics"],
        "talks to the Kafka cluster and waits for it",
        f"use `confluent_kafka.aio` (`AIOProducer`, `AIOConsumer`), `aiokafka`, or {_TO_THREAD}",
    ),
    _block(
        ["confluent_kafka.Consumer.get_watermark_offsets"],
        "talks to the Kafka cluster and waits for it",
        f"use `confluent_kafka.aio.AIOConsumer`, or {_TO_THREAD}",
        (("cached", 2, True),),
    ),
)

_BLOCKING_CLOUD = _merge(
    # BigQuery: query() starts a job (one request); the job's result() waits for it.
    # The list_* methods return iterators that fetch pages as they are iterated.
    _block(
        _names(
            f"{_BQ}Client",
            "cancel_job copy_table create_dataset create_job create_routine create_table"
            " delete_dataset delete_model delete_routine delete_table extract_table get_dataset"
            " get_iam_policy get_job get_model get_routine get_service_account_email get_table"
            " insert_rows insert_rows_from_dataframe insert_rows_json list_datasets list_jobs"
            " list_models list_partitions list_projects list_routines list_rows list_tables"
            " load_table_from_dataframe load_table_from_file load_table_from_json"
            " load_table_from_uri query query_and_wait set_iam_policy update_dataset"
            " update_model update_routine update_table",
        )
        + [f"{_BQ}{job}.{op}" for job in _BQ_JOBS for op in ("cancel", "exists", "reload", "result")]
        + _names(f"{_BQ}QueryJob", "to_arrow to_dataframe")
        + _names(f"{_BQ}table.RowIterator", "to_arrow to_dataframe"),
        "calls the BigQuery API and waits for the answer",
        f"use {_TO_THREAD} (or `gcloud-aio-bigquery`)",
    ),
    # ``job.done()`` asks the API for the job's state, unless given ``reload=False``.
    _block(
        [f"{_BQ}{job}.done" for job in _BQ_JOBS],
        "calls the BigQuery API and waits for the answer",
        f"use {_TO_THREAD}",
        (("reload", 2, False),),
    ),
    # Pub/Sub: publish() only batches the message (its future's result() waits,
    # see TYPE_BASES); subscribe() starts a background stream.
    _block(
        _names(
            "google.cloud.pubsub_v1.PublisherClient",
            "create_topic delete_topic get_topic list_topic_subscriptions list_topics update_topic",
        )
        + _names(
            "google.cloud.pubsub_v1.SubscriberClient",
            "acknowledge create_subscription delete_subscription get_subscription"
            " list_subscriptions modify_ack_deadline pull seek update_subscription",
        ),
        "calls the Pub/Sub API and waits for the answer",
        f"use `google.pubsub_v1.PublisherAsyncClient`/`SubscriberAsyncClient`, or {_TO_THREAD}",
    ),
    # Firestore: references and queries are built locally; reading or writing them
    # is a request (stream() and collections() are iterated at once).
    _block(
        _names(f"{_FS}Client", "collections get_all recursive_delete")
        + _names(f"{_FS}CollectionReference", "add get list_documents stream")
        + _names(f"{_FS}Query", "get stream")
        + _names(f"{_FS}DocumentReference", "collections create delete get set update")
        + _names(f"{_FS}WriteBatch", "commit")
        + _names(f"{_FS}Transaction", "commit get get_all"),
        "calls the Firestore API and waits for the answer",
        f"use `google.cloud.firestore.AsyncClient` and await its methods, or {_TO_THREAD}",
    ),
    # Azure Blob Storage: get_*_client() are local; download_blob() fetches the first
    # chunk and its downloader the rest; the list_* iterators fetch pages as iterated.
    _block(
        _names(f"{_AZ}BlobServiceClient", f"{_AZ_SERVICE_OPS} find_blobs_by_tags list_containers")
        + _names(
            f"{_AZ}ContainerClient",
            f"{_AZ_CONTAINER_OPS} find_blobs_by_tags list_blob_names list_blobs walk_blobs",
        )
        + _names(f"{_AZ}BlobClient", f"{_AZ_BLOB_OPS} list_page_ranges")
        + _names(f"{_AZ}StorageStreamDownloader", f"{_AZ_DOWNLOAD_OPS} chunks"),
        "calls Azure Blob Storage and waits for the answer",
        f"use `azure.storage.blob.aio` and await its methods, or {_TO_THREAD}",
    ),
    # MinIO: presigned URLs are left out (signed locally, but may look the region up).
    _block(
        _names(
            "minio.Minio",
            "append_object bucket_exists compose_object copy_object delete_bucket_policy"
            " delete_bucket_tags delete_object_tags fget_object fput_object get_bucket_policy"
            " get_bucket_tags get_bucket_versioning get_object get_object_tags list_buckets"
            " list_objects listen_bucket_notification make_bucket put_object remove_bucket"
            " remove_object remove_objects select_object_content set_bucket_policy"
            " set_bucket_tags set_bucket_versioning set_object_tags stat_object",
        ),
        "calls the S3 API of the MinIO server and waits for the answer",
        f"use `miniopy-async`, `aioboto3`, or {_TO_THREAD}",
    ),
)

_BLOCKING_MORE_DATABASES = _merge(
    # neo4j: the driver connects lazily and session() is local; run() waits for the
    # first answer, and the result's methods read the rest.
    _block(
        _names(
            "neo4j.Driver",
            "execute_query get_server_info supports_multi_db verify_authentication"
            " verify_connectivity",
        )
        + _names("neo4j.Session", "begin_transaction execute_read execute_write run")
        + _names("neo4j.Transaction", "commit rollback run")
        + _names("neo4j.ManagedTransaction", "run")
        + _names("neo4j.Result", _NEO4J_RESULT_OPS),
        *_db("Neo4j server", "`neo4j.AsyncGraphDatabase` (`AsyncDriver`, `AsyncSession`)"),
    ),
    # cassandra-driver: Cluster() is local, connect() opens the session.
    _block(
        _names("cassandra.cluster.Cluster", "connect")
        + _names("cassandra.cluster.Session", "execute execute_graph prepare set_keyspace")
        + _names("cassandra.cluster.ResponseFuture", "result")
        + _names("cassandra.concurrent", "execute_concurrent execute_concurrent_with_args"),
        *_db("Cassandra cluster", "`session.execute_async(...)` with a callback"),
    ),
    _block(
        _names(
            "clickhouse_driver.Client",
            "execute execute_iter execute_with_progress insert_dataframe query_arrow"
            " query_dataframe",
        ),
        *_db("ClickHouse server", "`asynch` or `clickhouse_connect.get_async_client`"),
    ),
    # clickhouse-connect's get_client() connects (it reads the server's settings).
    _block(
        _names("clickhouse_connect", "create_client get_client")
        + _names("clickhouse_connect.driver.client.Client", _CLICKHOUSE_CONNECT_OPS),
        *_db("ClickHouse server", "`clickhouse_connect.get_async_client`"),
    ),
    # pyodbc: rows are fetched from the driver as they are read.
    _block(
        _names("pyodbc", "connect")
        + _names("pyodbc.Connection", "commit execute rollback")
        + _names(
            "pyodbc.Cursor",
            "columns commit execute executemany fetchall fetchmany fetchone fetchval rollback"
            " tables",
        ),
        *_db("database", "`aioodbc`"),
    ),
    # python-oracledb (and cx_Oracle, its former name: TYPE_ALIASES): rows come from
    # the server in batches as they are fetched.
    _block(
        _names("oracledb", "Connection connect")
        + _names("oracledb.Connection", "commit ping rollback")
        + _names("oracledb.Cursor", _ORACLE_CURSOR_OPS),
        *_db("Oracle database", "`oracledb.connect_async`"),
    ),
    # Snowflake: connecting authenticates; results are downloaded as they are fetched.
    _block(
        _names("snowflake.connector", "SnowflakeConnection connect")
        + _names(
            "snowflake.connector.SnowflakeConnection",
            "commit execute_stream execute_string rollback",
        )
        + _names(
            "snowflake.connector.cursor.SnowflakeCursor",
            "callproc describe execute executemany fetch_arrow_all fetch_pandas_all fetchall"
            " fetchmany fetchone get_results_from_sfqid",
        ),
        *_db("Snowflake warehouse", "`snowflake.connector.aio`"),
    ),
)

_BLOCKING_TOOLS = _merge(
    # GitPython runs the git program: ``repo.git.<command>()`` (every attribute of
    # git.Git but its local helpers, NOT_BLOCKING) and the remote operations.
    _block(
        _names("git.Repo", "archive blame clone clone_from init is_dirty iter_commits")
        + _names("git.Remote", "fetch pull push update")
        + ["git.Git.*"],
        "runs the git program and waits for it",
        f"use `asyncio.create_subprocess_exec(\"git\", ...)` or {_TO_THREAD}",
    ),
    # pexpect: expect() waits for the child's output (``async_=True`` makes it a
    # coroutine); send() sleeps ``delaybeforesend`` (50 ms) first.
    _block(
        _names("pexpect.spawn", "expect expect_exact expect_list"),
        "waits for the child process's output",
        f"use `await child.expect(..., async_=True)`, or {_TO_THREAD}",
        (("async_", -1, True),),
    ),
    _block(
        _names("pexpect.spawn", "interact read readline readlines send sendcontrol sendline wait")
        + _names("pexpect.pxssh.pxssh", "login logout prompt"),
        "waits for the child process",
        f"use `await child.expect(..., async_=True)`, `asyncio.create_subprocess_exec`, or {_TO_THREAD}",
    ),
    _block(["pexpect.run"], _SUBPROCESS_WHAT, _SUBPROCESS_INSTEAD),
    # netmiko: ConnectHandler() logs in over SSH; every command waits for the prompt.
    _block(
        _names("netmiko", "BaseConnection ConnectHandler")
        + _names(
            "netmiko.BaseConnection",
            "commit config_mode disconnect enable exit_config_mode exit_enable_mode find_prompt"
            " read_until_pattern read_until_prompt save_config send_command"
            " send_command_expect send_command_timing send_config_from_file send_config_set"
            " send_multiline",
        ),
        "talks to a network device over SSH and waits for it",
        f"use `scrapli` with its asyncio transport, `asyncssh`, or {_TO_THREAD}",
    ),
)

_BLOCKING_WEB_APIS = _merge(
    # ``feedparser.parse`` fetches only when given a URL; async code usually hands it a
    # body it fetched itself, which it parses in milliseconds.
    _block(
        ["feedparser.parse"],
        "downloads the feed over HTTP and waits for it",
        f"use an async client to fetch the feed, and parse its body with {_TO_THREAD}",
        blocking_only_if=(("url_file_stream_or_string", 0, URL_ARGUMENT),),
    ),
    _block(
        _names("yt_dlp.YoutubeDL", "download extract_info"),
        "downloads pages and media and waits for them",
        f"run it with {_TO_THREAD} or in a process",
    ),
    # gspread: opening a spreadsheet fetches its metadata; worksheet reads and writes
    # are Sheets API requests (``sheet1`` is a property that fetches, in ATTRIBUTE_TYPES).
    _block(
        _names(
            "gspread.Client",
            "copy create del_spreadsheet export import_csv insert_permission list_permissions"
            " list_spreadsheet_files open open_by_key open_by_url openall",
        )
        + _names("gspread.Spreadsheet", _GSPREAD_SPREADSHEET_OPS)
        + _names("gspread.Worksheet", _GSPREAD_WORKSHEET_OPS),
        _request_to("the Google Sheets API"),
        f"use `gspread_asyncio`, or {_TO_THREAD}",
    ),
    _block(
        ["xmlrpc.client.ServerProxy.*"],
        "calls a method on an XML-RPC server and waits for the answer",
        f"use an async XML-RPC client (`aiohttp-xmlrpc`), or {_TO_THREAD}",
    ),
    _block(
        ["tweepy.Client.*", "tweepy.API.*"],
        _request_to("the X (Twitter) API"),
        f"use `tweepy.asynchronous.AsyncClient`, or {_TO_THREAD}",
    ),
    _block(
        _names(
            "googlemaps.Client",
            "addressvalidation directions distance_matrix elevation elevation_along_path"
            " find_place geocode geolocate nearest_roads place places places_autocomplete"
            " places_autocomplete_query places_nearby places_photo reverse_geocode"
            " snap_to_roads snapped_speed_limits speed_limits static_map timezone",
        ),
        _request_to("the Google Maps API"),
        f"use {_TO_THREAD}",
    ),
    # geopy: a geocoder made with ``adapter_factory=AioHTTPAdapter`` returns
    # coroutines instead, and awaited calls are never reported.
    _block(
        [f"geopy.geocoders.{g}.{op}" for g in _GEOCODERS for op in ("geocode", "reverse")],
        _request_to("the geocoding service"),
        f"use the geocoder with `adapter_factory=geopy.adapters.AioHTTPAdapter` and await it, or {_TO_THREAD}",
    ),
    _block(
        _names("ccxt.Exchange", _CCXT_OPS),
        _request_to("the exchange's API"),
        f"use `ccxt.async_support` (`ccxt.async_support.binance()` ...), or {_TO_THREAD}",
    ),
    # jira: the client asks the server for its version as it is made, unless
    # ``get_server_info=False``.
    _block(
        ["jira.JIRA"],
        _request_to("the Jira server"),
        f"use {_TO_THREAD}",
        (("get_server_info", 9, False),),
    ),
    _block(
        _names(
            "jira.JIRA",
            "add_attachment add_comment add_watcher assign_issue comments create_issue"
            " create_issue_link enhanced_search_issues issue myself project projects"
            " search_issues search_users server_info transition_issue transitions",
        )
        + _names("jira.resources.Issue", "add_field_value delete update"),
        _request_to("the Jira server"),
        f"use {_TO_THREAD}",
    ),
    _block(
        _names("sendgrid.SendGridAPIClient", "send"),
        _request_to("the SendGrid API"),
        f"use {_TO_THREAD}",
    ),
    # hvac: the client is local; its calls and those of ``client.secrets.*`` and
    # ``client.auth.*`` (ATTRIBUTE_TYPES) are requests to Vault.
    _block(
        _names(
            "hvac.Client",
            "auth_cubbyhole delete get_policy is_authenticated list login lookup_token"
            " read renew_token revoke_token write write_data",
        )
        + _names("hvac.api.secrets_engines.Kv", _KV_OPS)
        + [
            f"hvac.api.secrets_engines.{engine}.*"
            for engine in ("KvV1", "KvV2", *_HVAC_SECRETS_ENGINES.values())
        ]
        + [f"hvac.api.auth_methods.{method}.*" for method in _HVAC_AUTH_METHODS.values()],
        _request_to("Vault"),
        f"use {_TO_THREAD}",
    ),
    # simple-salesforce: the constructor logs in only when given credentials (not a
    # session id), so it is left out. ``sf.Contact`` (an object type named by any
    # attribute) is not typed: a wildcard attribute would hide the client's methods.
    _block(
        _names(
            "simple_salesforce.Salesforce",
            "apexecute deploy describe is_sandbox limits query query_all query_all_iter"
            " query_more quick_search restful search set_password toolingexecute",
        ),
        _request_to("the Salesforce API"),
        f"use {_TO_THREAD}",
    ),
)

_BLOCKING_BOTS_AND_CACHES = _merge(
    _block(
        _names("telebot.TeleBot", _TELEBOT_OPS),
        _request_to("the Telegram Bot API"),
        "use `telebot.async_telebot.AsyncTeleBot` and await its methods",
    ),
    _block(
        _names("telebot.TeleBot", "infinity_polling polling"),
        "polls the Telegram Bot API until the bot stops",
        "use `telebot.async_telebot.AsyncTeleBot` (`await bot.polling()`)",
    ),
    # apprise: ``async_notify`` is the coroutine twin (the same class, so not listed).
    _block(
        _names("apprise.Apprise", "notify"),
        "sends the notifications and waits for every service to answer",
        "use `await apobj.async_notify(...)`",
    ),
    _block(
        _names("discord_webhook.DiscordWebhook", "delete edit execute")
        + _names(
            "discord.SyncWebhook",
            "delete delete_message edit edit_message fetch fetch_message send",
        ),
        _request_to("Discord"),
        "use `discord_webhook.AsyncDiscordWebhook` or `discord.Webhook` (async), and await it",
    ),
    # websocket-client: create_connection() connects; every frame waits on the socket.
    _block(
        _names("websocket", "create_connection")
        + _names(
            "websocket.WebSocket",
            "close connect next ping pong recv recv_data recv_frame send send_binary send_bytes"
            " send_close send_frame send_text",
        )
        + _names("websocket.WebSocketApp", "run_forever"),
        "talks over a WebSocket and waits on its socket",
        "use `websockets` (`async with websockets.connect(url) as ws`) or `aiohttp`",
    ),
    # python-socketio's sync client: emit() and send() only queue the packet.
    _block(
        _names("socketio.Client", "call connect wait")
        + _names("socketio.SimpleClient", "call connect receive"),
        "talks to the Socket.IO server and waits for it",
        "use `socketio.AsyncClient` (or `socketio.AsyncSimpleClient`) and await it",
    ),
    _block(["socketio.Client.sleep"], "sleeps the whole thread", "use `await asyncio.sleep(...)`"),
    _block(
        [
            f"{client}.{op}"
            for client in (
                "pymemcache.client.base.Client",
                "pymemcache.client.base.PooledClient",
                "pymemcache.client.hash.HashClient",
            )
            for op in _MEMCACHE_OPS.split()
        ]
        + _names("pymemcache.client.base.Client", "stats version")
        + _names("pymemcache.client.base.PooledClient", "stats version"),
        *_db("memcached server", "`aiomcache`"),
    ),
    # kazoo: the ``*_async`` methods return at once (their result's get() waits).
    _block(
        _names(
            "kazoo.client.KazooClient",
            "add_auth command create delete ensure_path exists get get_acls get_children"
            " reconfig restart server_version set set_acls start stop sync",
        ),
        *_db("ZooKeeper ensemble", "`aiozk`"),
    ),
    _block(
        _names(
            "etcd3.Etcd3Client",
            "delete delete_prefix get get_all get_lease_info get_prefix get_range lease put"
            " put_if_not_exists refresh_lease replace revoke_lease status transaction"
            " watch_once watch_prefix_once",
        ),
        *_db("etcd cluster", "`aetcd`"),
    ),
)

_BLOCKING_JOBS = _merge(
    # Celery results poll the result backend and wait for it. (Not ``send_task()`` nor
    # ``delay()``: a publish to the broker, which routes accept in practice.)
    _block(
        _names("celery.result.AsyncResult", "failed forget get ready revoke successful wait")
        + _names("celery.result.ResultSet", "get join join_native ready successful"),
        "talks to the Celery broker or result backend and waits for it",
        f"use {_TO_THREAD}",
    ),
    # rq: every queue and job operation is a Redis round trip.
    _block(
        _names(
            "rq.Queue",
            "delete empty enqueue enqueue_at enqueue_call enqueue_in enqueue_many fetch_job"
            " get_job_ids get_jobs",
        )
        + _names(
            "rq.job.Job",
            "cancel delete exists fetch fetch_many get_position refresh requeue save save_meta",
        ),
        *_REDIS,
    ),
    _block(
        ["rq.job.Job.get_status"], *_REDIS, (("refresh", 0, False),)
    ),
    _block(
        _names("prometheus_client", "delete_from_gateway push_to_gateway pushadd_to_gateway"),
        _request_to("the Prometheus Pushgateway"),
        f"use {_TO_THREAD}",
    ),
)

_MEDIA_INSTEAD = f"run it with {_TO_THREAD} or in a process pool (`loop.run_in_executor(pool, ...)`)"
_BLOCKING_MEDIA = _merge(
    _block(
        _names("ffmpeg", "probe run") + _names("ffmpeg.nodes.OutputStream", "run"),
        "runs ffmpeg and waits for it to finish",
        f"use `run_async()` with `asyncio.create_subprocess_exec`, or {_TO_THREAD}",
    ),
    # pydub decodes and encodes through ffmpeg (also for in-memory files).
    _block(
        _names("pydub.AudioSegment", "export from_file from_mp3 from_ogg from_wav"),
        "decodes or encodes audio (running ffmpeg for most formats)",
        _MEDIA_INSTEAD,
    ),
    _block(
        _names("cv2", "VideoCapture imread imwrite") + _names("cv2.VideoCapture", "read"),
        "reads or writes an image or video and decodes or encodes it",
        _MEDIA_INSTEAD,
    ),
    # Rendering a figure takes much CPU time, even into an io.BytesIO.
    _block(
        ["matplotlib.pyplot.savefig", "matplotlib.figure.Figure.savefig"],
        "renders a figure, which takes much CPU time, and writes it",
        f"run it with {_TO_THREAD} (with the `Figure` API, not `pyplot`) or in a process pool",
    ),
    _block(
        ["reportlab.platypus.SimpleDocTemplate.build", "reportlab.pdfgen.canvas.Canvas.save"],
        "lays out and writes a PDF, which takes much CPU time",
        _MEDIA_INSTEAD,
    ),
    # pypdf reads a whole file as it opens it; from memory it only parses.
    _block(
        ["pypdf.PdfReader"],
        "opens a PDF file on disk",
        _ARCHIVE_INSTEAD,
        _in_memory(("stream", 0)),
    ),
    _block(
        ["pypdf.PdfWriter.write"],
        "writes a PDF file to disk",
        f"run it with {_TO_THREAD}, or write to an `io.BytesIO()` and save that with `aiofiles`",
        _in_memory(("stream", 0)),
    ),
    # PyMuPDF: open() is left out (``pymupdf.open(stream=data)`` reads memory). Pages
    # are reached through ``doc.load_page(n)`` (``doc[n]`` is not typed: a wildcard
    # attribute would hide the document's methods).
    _block(
        ["pymupdf.Page.get_pixmap"],
        "renders a page, which takes much CPU time",
        _MEDIA_INSTEAD,
    ),
    _block(
        ["pymupdf.Document.save"],
        "writes a PDF file to disk",
        f"run it with {_TO_THREAD}, or save to an `io.BytesIO()` and write that with `aiofiles`",
        _in_memory(("filename", 0)),
    ),
    # openpyxl parses or writes a whole workbook (XML in a zip): slow even in memory.
    _block(
        ["openpyxl.load_workbook", "openpyxl.Workbook.save"],
        "reads or writes a whole workbook, which takes much CPU time",
        _MEDIA_INSTEAD,
    ),
)

_MODEL_WHAT = "loads or runs a machine-learning model, which takes much CPU (or GPU) time"
_MODEL_INSTEAD = (
    f"run it with {_TO_THREAD} or in a process pool (and load the model once, at start-up)"
)
_BLOCKING_MODELS = _block(
    # The constructors load the weights from disk (downloading them the first time).
    _names("sentence_transformers", "CrossEncoder SentenceTransformer")
    + _names("sentence_transformers.SentenceTransformer", "encode encode_document encode_query")
    + _names("sentence_transformers.CrossEncoder", "predict rank")
    + _names("whisper", "load_model transcribe")
    + _names("whisper.model.Whisper", "transcribe")
    + _names("faster_whisper", "WhisperModel")
    + _names("faster_whisper.WhisperModel", "detect_language transcribe")
    + _names("faster_whisper.BatchedInferencePipeline", "transcribe"),
    _MODEL_WHAT,
    _MODEL_INSTEAD,
)

# Network probes. psutil.cpu_percent() is left out: it waits only when given a
# positive ``interval``, and the tables cannot require an argument.
_BLOCKING_PROBES = _merge(
    _block(
        _names("scapy.all", "arping sniff sr sr1 srloop srp srp1 traceroute"),
        "sends packets and waits for the answers (up to its timeout)",
        f"use `scapy.all.AsyncSniffer` (a thread of its own), or {_TO_THREAD}",
    ),
    _block(
        _names("icmplib", "multiping ping traceroute"),
        "sends pings and waits for the answers",
        "use `icmplib.async_ping` / `async_multiping`",
    ),
    _block(["icmplib.resolve"], _DNS_WHAT, "use `icmplib.async_resolve`"),
    _block(
        _names("ping3", "ping verbose_ping"),
        "sends pings and waits for the answers",
        f"use `icmplib.async_ping`, or {_TO_THREAD}",
    ),
    _block(
        ["whois.whois"],
        "queries WHOIS servers and waits for the answer",
        f"use {_TO_THREAD}",
    ),
)

#: python-chess: SimpleEngine runs an engine process from a thread of its own and waits
#: for it on every call (``close()`` only asks the thread to stop). The asyncio API
#: (``await chess.engine.popen_uci(...)``, a ``Protocol``) is the twin.
_CHESS_ENGINE_OPS = (
    "analyse analysis communicate configure ping play quit send_game_result"
    " send_opponent_information"
)
#: ElevenLabs (``elevenlabs.client.ElevenLabs``): the attribute of the client -> its
#: resource class (``Async*`` for AsyncElevenLabs), and the resource's requests; both 1.x
#: and 2.x names. convert() is a generator in some versions: its iteration, which follows,
#: sends the request. The ``stream*`` generators are left out: they are often handed to a
#: ``StreamingResponse``, which iterates them in a thread.
_ELEVENLABS_RESOURCES = {
    "text_to_speech": ("text_to_speech.client", "TextToSpeechClient", "convert convert_with_timestamps"),
    "voices": (
        "voices.client",
        "VoicesClient",
        "add add_sharing_voice delete edit edit_settings find_similar_voices get get_all"
        " get_default_settings get_settings get_shared search share update",
    ),
    "speech_to_text": ("speech_to_text.client", "SpeechToTextClient", "convert"),
    "models": ("models.client", "ModelsClient", "get_all list"),
    "history": ("history.client", "HistoryClient", "delete get get_all list"),
    "user": ("user.client", "UserClient", "get get_subscription"),
    "speech_to_speech": ("speech_to_speech.client", "SpeechToSpeechClient", "convert"),
    "text_to_sound_effects": ("text_to_sound_effects.client", "TextToSoundEffectsClient", "convert"),
    "audio_isolation": ("audio_isolation.client", "AudioIsolationClient", "audio_isolation convert"),
}
#: Methods of the sync resources that are generators in some version (so not coroutines
#: on the async side).
_ELEVENLABS_GENERATORS = {
    "TextToSpeechClient.convert", "SpeechToSpeechClient.convert",
    "TextToSoundEffectsClient.convert", "AudioIsolationClient.audio_isolation",
    "AudioIsolationClient.convert",
}
#: Vonage: ``vonage.Sms`` ... are the v3 classes (``vonage.Sms(client)``, ``client.sms``)
#: and the v4 ones (``vonage.Vonage(auth).sms``, from the ``vonage_sms`` ... packages); the
#: method names of both are listed.
_VONAGE_APIS = {
    "Sms": "send send_message submit_sms_conversion",
    "Voice": "create_call download_recording earmuff get_call get_calls get_recording hangup"
             " list_calls mute play_audio_into_call play_dtmf_into_call play_tts_into_call"
             " send_audio send_dtmf send_speech stop_audio stop_audio_stream stop_speech stop_tts"
             " transfer_call_answer_url transfer_call_ncco unearmuff unmute update_call",
    "Verify": "cancel cancel_verification check check_code psd2 search start_verification"
              " trigger_next_event trigger_next_workflow",
    "Verify2": "cancel_verification check_code new_request",
    "VerifyLegacy": "cancel_verification check_code request_network_unblock search"
                    " start_psd2_verification start_verification trigger_next_event",
    "Messages": "mark_whatsapp_message_read revoke_outbound_rcs_message revoke_rcs_message send"
                " send_message",
}
#: Google Cloud's generated (GAPIC) clients: ``<module>.<Name>Client`` has these RPCs (the
#: list_* ones fetch the first page at once), ``<module>.<Name>AsyncClient`` the same as
#: coroutines. The ``*_path`` builders, ``from_service_account_*`` and ``transport`` are local.
_GAPIC_LRO = "cancel_operation delete_operation get_operation list_operations"
_GAPIC_IAM = "get_iam_policy set_iam_policy test_iam_permissions"
_GAPIC_CLIENTS = {
    "google.cloud.vision.ImageAnnotator": "async_batch_annotate_files async_batch_annotate_images"
                                          " batch_annotate_files batch_annotate_images get_operation",
    "google.cloud.speech.Speech": "get_operation list_operations long_running_recognize recognize",
    "google.cloud.texttospeech.TextToSpeech": "get_operation list_operations list_voices"
                                              " synthesize_speech",
    "google.cloud.translate_v3.TranslationService": (
        f"{_GAPIC_LRO} batch_translate_document batch_translate_text create_glossary"
        " delete_glossary detect_language get_glossary get_location get_supported_languages"
        " list_glossaries list_locations romanize_text translate_document translate_text"
        " wait_operation"
    ),
    "google.cloud.language.LanguageService": "analyze_entities analyze_entity_sentiment"
                                             " analyze_sentiment analyze_syntax annotate_text"
                                             " classify_text moderate_text",
    "google.cloud.secretmanager.SecretManagerService": (
        f"{_GAPIC_IAM} access_secret_version add_secret_version create_secret delete_secret"
        " destroy_secret_version disable_secret_version enable_secret_version get_location"
        " get_secret get_secret_version list_locations list_secret_versions list_secrets"
        " update_secret"
    ),
    "google.cloud.tasks.CloudTasks": (
        f"{_GAPIC_IAM} create_queue create_task delete_queue delete_task get_location get_queue"
        " get_task list_locations list_queues list_tasks pause_queue purge_queue resume_queue"
        " run_task update_queue"
    ),
    "google.cloud.documentai.DocumentProcessorService": (
        "cancel_operation get_operation list_operations batch_process_documents create_processor delete_processor"
        " delete_processor_version deploy_processor_version disable_processor enable_processor"
        " fetch_processor_types get_location get_processor get_processor_type"
        " get_processor_version list_locations list_processor_types list_processor_versions"
        " list_processors process_document review_document set_default_processor_version"
        " train_processor_version undeploy_processor_version"
    ),
    "google.cloud.kms.KeyManagementService": (
        f"{_GAPIC_IAM} asymmetric_decrypt asymmetric_sign create_crypto_key"
        " create_crypto_key_version create_import_job create_key_ring decrypt"
        " destroy_crypto_key_version encrypt generate_random_bytes get_crypto_key"
        " get_crypto_key_version get_import_job get_key_ring get_location get_operation"
        " get_public_key import_crypto_key_version list_crypto_key_versions list_crypto_keys"
        " list_import_jobs list_key_rings list_locations mac_sign mac_verify raw_decrypt"
        " raw_encrypt restore_crypto_key_version update_crypto_key"
        " update_crypto_key_primary_version update_crypto_key_version"
    ),
}
#: Their long-running operations: ``operation.result()`` polls until the work is done.
_GAPIC_OPERATIONS = (
    "google.cloud.vision.ImageAnnotatorClient.async_batch_annotate_files",
    "google.cloud.vision.ImageAnnotatorClient.async_batch_annotate_images",
    "google.cloud.speech.SpeechClient.long_running_recognize",
    "google.cloud.translate_v3.TranslationServiceClient.batch_translate_document",
    "google.cloud.translate_v3.TranslationServiceClient.batch_translate_text",
    "google.cloud.documentai.DocumentProcessorServiceClient.batch_process_documents",
)
#: entsoe-py: every public method of the clients is a query; EntsoePandasClient (a
#: subclass of EntsoeRawClient, TYPE_BASES) has a few more.
_ENTSOE_RAW_QUERIES = (
    "activated_balancing_energy activated_balancing_energy_prices"
    " aggregate_water_reservoirs_and_hydro_storage aggregated_bids"
    " contracted_reserve_prices_procured_capacity crossborder_flows current_balancing_state"
    " day_ahead_prices generation generation_forecast generation_per_plant imbalance_prices"
    " imbalance_volumes installed_generation_capacity installed_generation_capacity_per_unit"
    " intraday_offered_capacity intraday_prices intraday_wind_and_solar_forecast load"
    " load_forecast net_position net_transfer_capacity_dayahead"
    " net_transfer_capacity_monthahead net_transfer_capacity_weekahead"
    " net_transfer_capacity_yearahead offered_capacity procured_balancing_capacity"
    " scheduled_exchanges unavailability_of_generation_units unavailability_of_offshore_grid"
    " unavailability_of_production_units unavailability_transmission wind_and_solar_forecast"
    " withdrawn_unavailability_of_generation_units"
)
_ENTSOE_PANDAS_QUERIES = (
    "contracted_reserve_amount contracted_reserve_prices day_ahead_prices_local"
    " generation_import import load_and_forecast physical_crossborder_allborders"
)
#: PyCap: the methods of ``redcap.Project`` that call the REDCap API (its properties,
#: which fetch once and cache, are left out).
_REDCAP_OPS = (
    "create_folder_in_repository delete_arms delete_dags delete_events delete_file"
    " delete_file_from_repository delete_records delete_user_roles delete_users export_arms"
    " export_dags export_events export_field_names export_file export_file_from_repository"
    " export_file_repository export_instrument_event_mappings export_instruments export_logging"
    " export_metadata export_pdf export_project_info export_records"
    " export_repeating_instruments_events export_report export_survey_access_code"
    " export_survey_link export_survey_participant_list export_survey_queue_link"
    " export_survey_return_code export_user_dag_assignment export_user_role_assignment"
    " export_user_roles export_users export_version generate_next_record_name import_arms"
    " import_dags import_events import_file import_file_into_repository"
    " import_instrument_event_mappings import_metadata import_records"
    " import_repeating_instruments_events import_user_dag_assignment"
    " import_user_role_assignment import_user_roles import_users switch_dag"
)

_BLOCKING_MORE_SDKS = _merge(
    # DeepL's SDK is sync only: every method of its translator is an HTTPS request.
    _block(
        _names(
            "deepl.Translator",
            "translate_text translate_text_with_glossary translate_document "
            "translate_document_from_filepath translate_document_upload translate_document_download "
            "translate_document_get_status translate_document_wait_until_done get_usage "
            "get_source_languages get_target_languages get_glossary_languages create_glossary "
            "create_glossary_from_csv get_glossary list_glossaries get_glossary_entries "
            "delete_glossary",
        )
        + _names("deepl.DeepLClient", "rephrase_text"),
        "sends a request to the DeepL API and waits for the answer",
        f"use an async HTTP client on the REST API (`httpx.AsyncClient`), or {_TO_THREAD}",
    ),
    _block(
        _names("chess.engine.SimpleEngine", f"{_CHESS_ENGINE_OPS} popen popen_uci popen_xboard"),
        "talks to a chess engine process and waits for it",
        "use the asyncio API (`transport, engine = await chess.engine.popen_uci(...)`,"
        " `await engine.play(...)`)",
    ),
    _block(
        [
            f"elevenlabs.{module}.{cls}.{op}"
            for module, cls, ops in _ELEVENLABS_RESOURCES.values()
            for op in ops.split()
        ]
        + _names("elevenlabs.client.ElevenLabs", "clone generate")
        # elevenlabs 0.x: module-level functions
        + _names("elevenlabs", "clone generate"),
        _request_to("the ElevenLabs API"),
        f"use `elevenlabs.client.AsyncElevenLabs` and await its methods, or {_TO_THREAD}",
    ),
    _block(
        [f"vonage.{api}.{op}" for api, ops in _VONAGE_APIS.items() for op in ops.split()]
        + _names("vonage.Client", "delete get patch post put"),
        _request_to("the Vonage API"),
        f"use {_TO_THREAD}",
    ),
    _block(
        [f"{client}Client.{op}" for client, ops in _GAPIC_CLIENTS.items() for op in ops.split()]
        # speech/vision helpers: streaming_recognize's responses are iterated at once; the
        # feature methods (text_detection ...) call batch_annotate_images.
        + ["google.cloud.speech.SpeechClient.streaming_recognize"]
        + _names(
            "google.cloud.vision.ImageAnnotatorClient",
            "annotate_image crop_hints document_text_detection face_detection image_properties"
            " label_detection landmark_detection logo_detection object_localization"
            " product_search safe_search_detection text_detection web_detection",
        )
        + _names("google.cloud.translate_v2.Client", "detect_language get_languages translate")
        + ["google.api_core.operation.Operation.result"],
        "calls a Google Cloud API and waits for the answer",
        f"use the `*AsyncClient` twin (`ImageAnnotatorAsyncClient` ...) and await it, or {_TO_THREAD}",
    ),
    _block(
        [f"entsoe.EntsoeRawClient.query_{q}" for q in _ENTSOE_RAW_QUERIES.split()]
        + [f"entsoe.EntsoePandasClient.query_{q}" for q in _ENTSOE_PANDAS_QUERIES.split()],
        _request_to("the ENTSO-E Transparency Platform API (HTTP)"),
        f"use {_TO_THREAD}",
    ),
    # (Not the constructor: PyCap 2 fetches nothing as a project is made.)
    _block(
        _names("redcap.Project", _REDCAP_OPS),
        _request_to("the REDCap API (HTTP)"),
        f"use {_TO_THREAD}",
    ),
)

_BLOCKING_SOLVERS_AND_CODECS = _merge(
    _block(
        _names(
            "ortools.constraint_solver.pywrapcp.RoutingModel",
            "Solve SolveFromAssignmentWithParameters SolveFromAssignmentsWithParameters"
            " SolveWithIteratedLocalSearch SolveWithParameters",
        )
        + _names("ortools.constraint_solver.pywrapcp.Solver", "Solve")
        + _names(
            "ortools.sat.python.cp_model.CpSolver",
            # (SolveWithSolutionCallback: older releases)
            "SearchForAllSolutions Solve SolveWithSolutionCallback solve",
        )
        + _names("ortools.linear_solver.pywraplp.Solver", "Solve"),
        "runs a solver, which takes much CPU time (up to its time limit)",
        f"run it in a process pool (`loop.run_in_executor(pool, ...)`) or with {_TO_THREAD}",
    ),
    # LZMA and bzip2 (de)compress at a few MB/s, even in memory (gzip and zlib are fast).
    _block(
        _names("lzma", "compress decompress")
        + _names("bz2", "compress decompress")
        + _names("lzma.LZMACompressor", "compress")
        + _names("lzma.LZMADecompressor", "decompress")
        + _names("bz2.BZ2Compressor", "compress")
        + _names("bz2.BZ2Decompressor", "decompress"),
        "compresses or decompresses with LZMA or bzip2, slow CPU work (a few MB/s)",
        f"run it with {_TO_THREAD} (it releases the GIL) or in a process pool",
    ),
)

#: Calls that block the thread they run on.
#: Django's ORM: the QuerySet methods that run a query (lazy builders like ``filter()`` do
#: not), and their ``a``-prefixed async twins (Django 4.1+).
_DJ = "django.db.models.QuerySet"
_DJANGO_QUERIES = (
    "aggregate bulk_create bulk_update contains count create delete earliest exists explain"
    " first get get_or_create in_bulk iterator last latest update update_or_create"
)
_DJANGO_BUILDERS = (
    "all alias annotate defer distinct exclude filter none only order_by prefetch_related"
    " reverse select_for_update select_related union using values values_list"
)

_BLOCKING_FRAMEWORK_EXTRAS = _merge(
    # Django's ORM in an async view: the query blocks the loop, and Django itself raises
    # SynchronousOnlyOperation unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
    _block(
        _names(_DJ, _DJANGO_QUERIES),
        "runs a database query (and Django raises SynchronousOnlyOperation in async code)",
        "use the ORM's async method (`await Model.objects.aget(...)`, `afirst()`, `acount()`,"
        " `acreate()`...), or run it with `await sync_to_async(...)`",
    ),
    # Django's mail API talks to the SMTP server on the calling thread (in an async view:
    # the event loop's).
    _block(
        _names("django.core.mail", "mail_admins mail_managers send_mail send_mass_mail")
        + _names("django.core.mail.EmailMessage", "send"),
        "talks to the SMTP server and waits for it",
        f"run it with `await sync_to_async(send_mail)(...)` or {_TO_THREAD}, or use `aiosmtplib`",
    ),
    # docker's low-level client (``docker.from_env().api``): every method is a request.
    _block(
        _names("docker.APIClient", "*"),
        _request_to("the Docker daemon"),
        f"use `aiodocker` or {_TO_THREAD}",
    ),
    # Audio and rasters read and decoded whole, and a MILP solved by a solver process.
    # (Not ``soundfile.write``: writing PCM into a ``BytesIO`` is a copy.)
    _block(
        _names("soundfile", "read"),
        "reads and decodes a whole audio file, which takes much CPU time",
        f"run it in a thread or a process pool ({_TO_THREAD})",
    ),
    _block(
        ["rasterio.open", *_names("rasterio.io.DatasetReader", "read read_masks sample")],
        "reads a raster dataset (from disk or over the network) and decodes it",
        f"run it in a thread or a process pool ({_TO_THREAD})",
    ),
    _block(
        _names("pulp.LpProblem", "solve"),
        "runs a solver, which takes much CPU time (up to its time limit)",
        "run it in a process pool (`loop.run_in_executor(pool, ...)`) or a thread",
    ),
)

BLOCKING_CALLS: dict[str, Blocking] = _merge(
    _BLOCKING_TIME,
    _BLOCKING_HTTP,
    _BLOCKING_FILES,
    _BLOCKING_PROCESSES,
    _BLOCKING_DATABASES,
    _BLOCKING_SOCKETS,
    _BLOCKING_THREADS,
    _BLOCKING_CPU,
    _BLOCKING_MISC,
    _BLOCKING_SERVICES,
    _BLOCKING_ARCHIVES,
    _BLOCKING_CERTIFICATES,
    _BLOCKING_IMPORTS,
    _BLOCKING_DEVICES_AND_SDKS,
    _BLOCKING_INFRASTRUCTURE,
    _BLOCKING_CLOUD,
    _BLOCKING_MORE_DATABASES,
    _BLOCKING_TOOLS,
    _BLOCKING_WEB_APIS,
    _BLOCKING_BOTS_AND_CACHES,
    _BLOCKING_JOBS,
    _BLOCKING_MEDIA,
    _BLOCKING_MODELS,
    _BLOCKING_PROBES,
    _BLOCKING_MORE_SDKS,
    _BLOCKING_SOLVERS_AND_CODECS,
    _BLOCKING_FRAMEWORK_EXTRAS,
)

#: Methods a ``Type.*`` entry of BLOCKING_CALLS does not cover: they return at once.
NOT_BLOCKING: frozenset[str] = frozenset(
    _names(
        "botocore.client.BaseClient",
        # signing is local; get_paginator/get_waiter only build objects (their
        # paginate()/wait() are the calls that block); close() closes sockets.
        "can_paginate close generate_db_auth_token generate_presigned_post generate_presigned_url"
        " get_paginator get_waiter",
    )
    # the Kubernetes APIs' close() releases the client's pools
    + [f"kubernetes.client.{api}.close" for api in _K8S_APIS]
    # git.Git's own helpers: every other attribute runs a git command
    + _names(
        "git.Git",
        "check_unsafe_options check_unsafe_protocols clear_cache custom_environment environment"
        " is_cygwin polish_url set_persistent_git_options transform_kwarg transform_kwargs"
        " update_environment",
    )
    # hvac: the mount-path helpers of the JWT/OIDC methods, and the cert method's error class
    + _names("hvac.api.auth_methods.JWT", "resolve_path")
    + _names("hvac.api.auth_methods.OIDC", "resolve_path")
    + _names("hvac.api.auth_methods.Cert", "CertificateAuthError")
)

# --------------------------------------------------------------------------
# RETURN_TYPES, ENTER_TYPES, ATTRIBUTE_TYPES
# --------------------------------------------------------------------------

_RETURNS_SYNC = _merge(
    # HTTP
    _classes(["requests.Session", "httpx.Client", "urllib.request.OpenerDirector"]),
    {"requests.session": "requests.Session"},
    {"urllib.request.build_opener": "urllib.request.OpenerDirector"},
    _to("httpx.Response", _names("httpx", f"{_HTTP_VERBS} stream")),
    _to("httpx.Response", _names("httpx.Client", f"{_HTTP_VERBS} send stream")),
    _classes(_names("urllib3", "HTTPConnectionPool HTTPSConnectionPool PoolManager ProxyManager")),
    _to(
        "urllib3.HTTPConnectionPool",
        ["urllib3.connection_from_url", "urllib3.PoolManager.connection_from_url"],
    ),
    _classes(
        _names("http.client", "HTTPConnection HTTPSConnection")
        + _names("smtplib", "LMTP SMTP SMTP_SSL")
        + _names("ftplib", "FTP FTP_TLS")
    ),
    {"boto3.client": "botocore.client.BaseClient"},
    {"boto3.session.Session.client": "botocore.client.BaseClient"},
    _classes(["boto3.session.Session"]),
    # Files and processes
    _classes(_names("pathlib", "Path PosixPath WindowsPath")),
    _to(
        "pathlib.Path",
        _names(
            "pathlib.Path",
            "__truediv__ absolute cwd expanduser home joinpath relative_to resolve"
            " with_name with_stem with_suffix",
        ),
    ),
    _classes(["subprocess.Popen"]),
    # Sockets and selectors
    _classes(["socket.socket", "ssl.SSLContext"]),
    _to(
        "socket.socket",
        ["socket.create_connection", "socket.create_server", "socket.fromfd", "socket.socket.dup"],
    ),
    {"ssl.SSLContext.wrap_socket": "ssl.SSLSocket"},
    {"ssl.create_default_context": "ssl.SSLContext"},
    _classes(
        _names(
            "selectors",
            "DefaultSelector DevpollSelector EpollSelector KqueueSelector PollSelector"
            " SelectSelector",
        )
    ),
    # Threads, queues, processes, executors
    _classes(
        _names(
            "threading",
            "Barrier BoundedSemaphore Condition Event Lock RLock Semaphore Thread Timer",
        )
        + _names("queue", "LifoQueue PriorityQueue Queue SimpleQueue")
        + _names("concurrent.futures", "ProcessPoolExecutor ThreadPoolExecutor")
        + _names("multiprocessing.pool", "Pool ThreadPool")
        + _names("multiprocessing", "Process")
    ),
    {
        "multiprocessing.Queue": "multiprocessing.queues.Queue",
        "multiprocessing.JoinableQueue": "multiprocessing.queues.JoinableQueue",
        "multiprocessing.SimpleQueue": "multiprocessing.queues.SimpleQueue",
        "multiprocessing.Pool": "multiprocessing.pool.Pool",
        "multiprocessing.dummy.Pool": "multiprocessing.pool.ThreadPool",
        "multiprocessing.pool.Pool.apply_async": "multiprocessing.pool.AsyncResult",
        "multiprocessing.pool.Pool.map_async": "multiprocessing.pool.AsyncResult",
        "multiprocessing.pool.Pool.starmap_async": "multiprocessing.pool.AsyncResult",
        "concurrent.futures.Executor.submit": "concurrent.futures.Future",
    },
    # Databases
    {
        "sqlite3.connect": "sqlite3.Connection",
        "sqlite3.Connection.cursor": "sqlite3.Cursor",
        "sqlite3.Connection.execute": "sqlite3.Cursor",
        "sqlite3.Connection.executemany": "sqlite3.Cursor",
        "sqlite3.Connection.executescript": "sqlite3.Cursor",
        "sqlite3.Cursor.execute": "sqlite3.Cursor",
        "psycopg2.connect": "psycopg2.extensions.connection",
        "psycopg2.extensions.connection.cursor": "psycopg2.extensions.cursor",
        "psycopg2.pool.AbstractConnectionPool.getconn": "psycopg2.extensions.connection",
        "psycopg.connect": "psycopg.Connection",
        "psycopg.Connection.connect": "psycopg.Connection",
        "psycopg.Connection.cursor": "psycopg.Cursor",
        "psycopg.Connection.execute": "psycopg.Cursor",
        "pymysql.connect": "pymysql.connections.Connection",
        "pymysql.connections.Connection.cursor": "pymysql.cursors.Cursor",
        "mysql.connector.connect": "mysql.connector.abstracts.MySQLConnectionAbstract",
        "mysql.connector.abstracts.MySQLConnectionAbstract.cursor": (
            "mysql.connector.abstracts.MySQLCursorAbstract"
        ),
        "pymongo.MongoClient.get_database": "pymongo.database.Database",
        "pymongo.MongoClient.get_default_database": "pymongo.database.Database",
        "pymongo.database.Database.get_collection": "pymongo.collection.Collection",
        "redis.from_url": "redis.Redis",
        "redis.Redis.from_url": "redis.Redis",
        "redis.Redis.from_pool": "redis.Redis",
        "redis.Redis.pipeline": "redis.client.Pipeline",
        "redis.Redis.pubsub": "redis.client.PubSub",
        "redis.Redis.lock": "redis.lock.Lock",
        "sqlalchemy.create_engine": "sqlalchemy.engine.Engine",
        "sqlalchemy.engine.Engine.connect": "sqlalchemy.engine.Connection",
        "sqlalchemy.engine.Engine.begin": "sqlalchemy.engine.Connection",
        "sqlalchemy.orm.Session.query": "sqlalchemy.orm.Query",
        "sqlalchemy.orm.sessionmaker.__call__": "sqlalchemy.orm.Session",
        "sqlalchemy.orm.sessionmaker.begin": "sqlalchemy.orm.Session",
    },
    _classes(
        [
            "pymysql.connections.Connection",
            "psycopg2.pool.SimpleConnectionPool",
            "psycopg2.pool.ThreadedConnectionPool",
            "pymongo.MongoClient",
            "redis.Redis",
            "sqlalchemy.orm.Session",
            "sqlalchemy.orm.sessionmaker",
            "argon2.PasswordHasher",
            "passlib.context.CryptContext",
        ]
    ),
)

_RETURNS_ASYNC = _merge(
    # chat-bot frameworks: handler arguments are annotated with these classes
    _classes(
        [
            "telegram.Update",
            "telegram.Message",
            "telegram.Bot",
            "telegram.CallbackQuery",
            "telegram.ext.CallbackContext",
            "discord.Interaction",
            "discord.InteractionResponse",
            "discord.Message",
            "discord.abc.Messageable",
            "discord.TextChannel",
            "discord.ext.commands.Context",
            "aiogram.types.Message",
            "aiogram.types.CallbackQuery",
            "aiogram.Bot",
        ]
    ),
    # aiohttp's server side: handlers receive a Request (annotated) and make responses.
    _classes(
        _names("aiohttp.web", "Request StreamResponse WebSocketResponse")
    ),
    # Starlette's (and FastAPI's) server side: a route's annotated parameters.
    _classes(
        ["starlette.websockets.WebSocket", "starlette.requests.Request",
         "starlette.datastructures.UploadFile"]
    ),
    # asyncio
    _classes(
        _names(
            "asyncio",
            "Barrier BoundedSemaphore Condition Event LifoQueue Lock PriorityQueue Queue"
            " Semaphore StreamReader StreamWriter TaskGroup",
        )
    ),
    _to(
        "asyncio.AbstractEventLoop",
        _names("asyncio", "get_event_loop get_running_loop new_event_loop"),
    ),
    _to(
        "asyncio.Task",
        [
            "asyncio.create_task",
            "asyncio.AbstractEventLoop.create_task",
            "asyncio.TaskGroup.create_task",
        ],
    ),
    _to(
        "asyncio.Future",
        ["asyncio.ensure_future", "asyncio.wrap_future", "asyncio.AbstractEventLoop.create_future"],
    ),
    _to("asyncio.Timeout", ["asyncio.timeout", "asyncio.timeout_at"]),
    _to(
        "asyncio.Server",
        [
            "asyncio.start_server",
            "asyncio.start_unix_server",
            "asyncio.AbstractEventLoop.create_server",
            "asyncio.AbstractEventLoop.create_unix_server",
        ],
    ),
    _to(
        "asyncio.subprocess.Process",
        ["asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"],
    ),
    {"uvloop.new_event_loop": "uvloop.Loop"},
    # aiohttp
    _classes(["aiohttp.ClientSession", "aiohttp.TCPConnector"]),
    _to(
        "aiohttp.ClientResponse",
        _names("aiohttp.ClientSession", _HTTP_VERBS) + _names("aiohttp", "request"),
    ),
    {"aiohttp.ClientSession.ws_connect": "aiohttp.ClientWebSocketResponse"},
    # httpx
    _classes(["httpx.AsyncClient"]),
    _to("httpx.Response", _names("httpx.AsyncClient", f"{_HTTP_VERBS} send stream")),
    # asyncpg
    {
        "asyncpg.connect": "asyncpg.Connection",
        "asyncpg.create_pool": "asyncpg.Pool",
        "asyncpg.Pool.acquire": "asyncpg.Connection",
        "asyncpg.Connection.transaction": "asyncpg.transaction.Transaction",
        "asyncpg.Connection.prepare": "asyncpg.prepared_stmt.PreparedStatement",
    },
    # redis.asyncio
    _classes(["redis.asyncio.Redis"]),
    {
        "redis.asyncio.from_url": "redis.asyncio.Redis",
        "redis.asyncio.Redis.from_url": "redis.asyncio.Redis",
        "redis.asyncio.Redis.from_pool": "redis.asyncio.Redis",
        "redis.asyncio.Redis.pipeline": "redis.asyncio.client.Pipeline",
        "redis.asyncio.Redis.pubsub": "redis.asyncio.client.PubSub",
        "redis.asyncio.Redis.lock": "redis.asyncio.lock.Lock",
    },
    # aiofiles: open() gives a text or binary wrapper; they share these methods.
    {"aiofiles.open": "aiofiles.base.AsyncBase"},
    # aiosqlite
    {
        "aiosqlite.connect": "aiosqlite.Connection",
        "aiosqlite.Connection.cursor": "aiosqlite.Cursor",
        "aiosqlite.Connection.execute": "aiosqlite.Cursor",
        "aiosqlite.Connection.executemany": "aiosqlite.Cursor",
        "aiosqlite.Connection.executescript": "aiosqlite.Cursor",
    },
    # aiomysql
    {
        "aiomysql.connect": "aiomysql.Connection",
        "aiomysql.create_pool": "aiomysql.Pool",
        "aiomysql.Pool.acquire": "aiomysql.Connection",
        "aiomysql.Connection.cursor": "aiomysql.Cursor",
    },
    # psycopg 3, async side
    {
        "psycopg.AsyncConnection.connect": "psycopg.AsyncConnection",
        "psycopg.AsyncConnection.cursor": "psycopg.AsyncCursor",
        "psycopg.AsyncConnection.execute": "psycopg.AsyncCursor",
    },
    # websockets (14 and later: the new asyncio implementation is the default)
    {
        "websockets.connect": "websockets.asyncio.client.ClientConnection",
        "websockets.legacy.client.connect": "websockets.legacy.client.WebSocketClientProtocol",
    },
    # ... and the connections a server's handler is given (annotations name them)
    _classes(["websockets.asyncio.server.ServerConnection",
              "websockets.legacy.server.WebSocketServerProtocol"]),
    # MongoDB: motor and pymongo's own async client
    _classes(["motor.motor_asyncio.AsyncIOMotorClient", "pymongo.AsyncMongoClient"]),
    {
        "motor.motor_asyncio.AsyncIOMotorClient.get_database": (
            "motor.motor_asyncio.AsyncIOMotorDatabase"
        ),
        "motor.motor_asyncio.AsyncIOMotorDatabase.get_collection": (
            "motor.motor_asyncio.AsyncIOMotorCollection"
        ),
        "motor.motor_asyncio.AsyncIOMotorCollection.find": "motor.motor_asyncio.AsyncIOMotorCursor",
        "pymongo.AsyncMongoClient.get_database": "pymongo.asynchronous.database.AsyncDatabase",
        "pymongo.asynchronous.database.AsyncDatabase.get_collection": (
            "pymongo.asynchronous.collection.AsyncCollection"
        ),
        "pymongo.asynchronous.collection.AsyncCollection.find": (
            "pymongo.asynchronous.cursor.AsyncCursor"
        ),
    },
    # SQLAlchemy, async side
    {
        "sqlalchemy.ext.asyncio.create_async_engine": "sqlalchemy.ext.asyncio.AsyncEngine",
        "sqlalchemy.ext.asyncio.AsyncEngine.connect": "sqlalchemy.ext.asyncio.AsyncConnection",
        "sqlalchemy.ext.asyncio.AsyncEngine.begin": "sqlalchemy.ext.asyncio.AsyncConnection",
        "sqlalchemy.ext.asyncio.async_sessionmaker.__call__": "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.async_sessionmaker.begin": "sqlalchemy.ext.asyncio.AsyncSession",
    },
    _classes(["sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.async_sessionmaker"]),
    # anyio and trio
    _classes(
        _names("anyio", "CapacityLimiter Condition Event Lock Path Semaphore")
        + _names("trio", "CapacityLimiter Condition Event Lock Semaphore")
    ),
    {
        "anyio.create_task_group": "anyio.abc.TaskGroup",
        "anyio.open_file": "anyio.AsyncFile",
        "anyio.wrap_file": "anyio.AsyncFile",
        "anyio.Path.open": "anyio.AsyncFile",
        "anyio.connect_tcp": "anyio.abc.SocketStream",
        "trio.open_nursery": "trio._core._run.NurseryManager",
        "trio.open_tcp_stream": "trio.SocketStream",
    },
    # limiters and schedulers
    _classes(
        [
            "aiolimiter.AsyncLimiter",
            "asyncio_throttle.Throttler",
            "aiojobs.Scheduler",
            "asyncdoctor.limits.ConcurrencyLimiter",
            "asyncdoctor.limits.RateLimiter",
            "asyncdoctor.limits.AdaptiveLimiter",
        ]
    ),
)

_RETURNS_LIBRARIES_SYNC = _merge(
    # in-memory files (IN_MEMORY_FILE_TYPES), archives and images
    _classes(
        ["io.BytesIO", "io.StringIO", "zipfile.ZipFile", "tarfile.TarFile", "PIL.Image.Image"]
    ),
    {"tarfile.open": "tarfile.TarFile"},
    _to("PIL.Image.Image", _names("PIL.Image", "frombuffer frombytes new open")),
    _to(
        "PIL.Image.Image",
        _names(
            "PIL.Image.Image",
            "convert copy crop filter quantize reduce resize rotate transform transpose",
        ),
    ),
    # boto3 resources and the objects botocore clients hand out
    {
        "boto3.resource": "boto3.resources.base.ServiceResource",
        "boto3.session.Session.resource": "boto3.resources.base.ServiceResource",
        "botocore.session.get_session": "botocore.session.Session",
        "botocore.session.Session.create_client": "botocore.client.BaseClient",
        "botocore.client.BaseClient.get_paginator": "botocore.paginate.Paginator",
        "botocore.client.BaseClient.get_waiter": "botocore.waiter.Waiter",
    },
    _to(
        "boto3.resources.base.ServiceResource",
        _names(
            "boto3.resources.base.ServiceResource",
            "Bucket Object ObjectSummary Queue Table Topic create_bucket create_queue"
            " create_table create_topic get_queue_by_name",
        ),
    ),
    _classes(
        _names("requests_oauthlib", "OAuth1Session OAuth2Session")
        + _names("paramiko", "SFTPClient SSHClient")
        + _names("imaplib", "IMAP4 IMAP4_SSL")
        + _names("poplib", "POP3 POP3_SSL")
        + _names("pysftp", "Connection")
        + ["dns.resolver.Resolver", "jwt.PyJWKClient", "pyvisa.ResourceManager"]
        + _names("openai", "AzureOpenAI OpenAI")
        + _names("anthropic", "Anthropic AnthropicBedrock AnthropicVertex")
        + _names("google.cloud.storage", "Blob Bucket Client")
        + _names("elasticsearch", "Elasticsearch")
        + _names("paho.mqtt.client", "Client")
        + _names("kafka", "KafkaConsumer KafkaProducer")
        + _names("pika", "BlockingConnection")
    ),
    {
        "pyvisa.ResourceManager.open_resource": "pyvisa.resources.MessageBasedResource",
        "paramiko.SSHClient.open_sftp": "paramiko.SFTPClient",
        "paramiko.SFTPClient.from_transport": "paramiko.SFTPClient",
        "openai.OpenAI.with_options": "openai.OpenAI",
        "openai.OpenAI.copy": "openai.OpenAI",
        "anthropic.Anthropic.with_options": "anthropic.Anthropic",
        "anthropic.Anthropic.copy": "anthropic.Anthropic",
        "google.cloud.storage.Client.from_service_account_json": "google.cloud.storage.Client",
        "paho.mqtt.client.Client.publish": "paho.mqtt.client.MQTTMessageInfo",
        "kafka.KafkaProducer.send": "kafka.producer.future.FutureRecordMetadata",
        "pika.BlockingConnection.channel": "pika.adapters.blocking_connection.BlockingChannel",
    },
    _to(
        "google.cloud.storage.Bucket",
        _names("google.cloud.storage.Client", "bucket create_bucket get_bucket lookup_bucket"),
    ),
    _to("google.cloud.storage.Blob", _names("google.cloud.storage.Bucket", "blob get_blob")),
)

_RETURNS_LIBRARIES_ASYNC = _merge(
    _classes(
        _names("openai", "AsyncAzureOpenAI AsyncOpenAI")
        + _names("anthropic", "AsyncAnthropic AsyncAnthropicBedrock AsyncAnthropicVertex")
        + _names("elasticsearch", "AsyncElasticsearch")
        + _names("aiomqtt", "Client")
        + _names("aiosmtplib", "SMTP")
        + ["gidgethub.aiohttp.GitHubAPI", "gidgethub.httpx.GitHubAPI", "nats.aio.msg.Msg",
           "nats.aio.client.Client"]
        + _names("aiokafka", "AIOKafkaConsumer AIOKafkaProducer")
        + _names("aioboto3", "Session")
        + _names("asyncssh", "SSHClientConnection")
    ),
    {
        "openai.AsyncOpenAI.with_options": "openai.AsyncOpenAI",
        "openai.AsyncOpenAI.copy": "openai.AsyncOpenAI",
        "anthropic.AsyncAnthropic.with_options": "anthropic.AsyncAnthropic",
        "anthropic.AsyncAnthropic.copy": "anthropic.AsyncAnthropic",
        # aioboto3/aiobotocore clients are made by ``async with``.
        "aioboto3.Session.client": "aiobotocore.session.ClientCreatorContext",
        "aiobotocore.session.get_session": "aiobotocore.session.AioSession",
        "aiobotocore.session.AioSession.create_client": "aiobotocore.session.ClientCreatorContext",
        "asyncssh.connect": "asyncssh.SSHClientConnection",
        "nats.connect": "nats.aio.client.Client",
        # aio-pika: ``connection.channel()`` is awaitable and gives the channel itself.
        "aio_pika.connect": "aio_pika.abc.AbstractConnection",
        "aio_pika.connect_robust": "aio_pika.abc.AbstractRobustConnection",
        "aio_pika.abc.AbstractConnection.channel": "aio_pika.abc.AbstractChannel",
        "aio_pika.abc.AbstractChannel.declare_exchange": "aio_pika.abc.AbstractExchange",
        "aio_pika.abc.AbstractChannel.get_exchange": "aio_pika.abc.AbstractExchange",
        "aio_pika.abc.AbstractChannel.declare_queue": "aio_pika.abc.AbstractQueue",
        "aio_pika.abc.AbstractChannel.get_queue": "aio_pika.abc.AbstractQueue",
    },
)

#: The type of a call's result (the awaited result for coroutine functions).
_RETURNS_DEVICES_AND_SDKS = _merge(
    _classes(["web3.Web3", "web3.AsyncWeb3", "gitlab.Gitlab", "github.Github"]),
    {f"{_GL}{m}.{op}": f"{_GL}{obj}" for m, obj in _GITLAB_MANAGERS.values() if obj
     for op in ("get", "create")},
    {
        "github.Github.get_repo": "github.Repository.Repository",
        "github.Github.get_organization": "github.Organization.Organization",
        "github.Organization.Organization.get_repo": "github.Repository.Repository",
        "github.Organization.Organization.create_repo": "github.Repository.Repository",
        "github.Repository.Repository.get_pull": "github.PullRequest.PullRequest",
        "github.Repository.Repository.create_pull": "github.PullRequest.PullRequest",
        "github.Repository.Repository.get_issue": "github.Issue.Issue",
        "github.Repository.Repository.create_issue": "github.Issue.Issue",
    },
    _classes(["slack_sdk.WebClient", "urllib.robotparser.RobotFileParser", "serial.Serial",
              "twilio.rest.Client", "stripe.StripeClient", "ldap3.Connection", "weasyprint.HTML",
              "pywebpush.WebPusher", "asyncua.Client", "asyncua.Node", "zeep.Client",
              "zeep.AsyncClient", "django.core.mail.EmailMessage",
              "django.core.mail.EmailMultiAlternatives", "qdrant_client.QdrantClient", "qdrant_client.AsyncQdrantClient",
              "deepl.Translator", "deepl.DeepLClient"]),
    {
        "weasyprint.HTML.render": "weasyprint.document.Document",
        "asyncua.Client.get_node": "asyncua.Node",
        "asyncua.Client.get_root_node": "asyncua.Node",
        "asyncua.Client.get_objects_node": "asyncua.Node",
        "asyncua.Node.get_child": "asyncua.Node",
    },
    _classes(
        f"pymodbus.client.{c}" for c in ("ModbusTcpClient", "ModbusUdpClient", "ModbusSerialClient", "ModbusTlsClient")
    ),
    {
        "twilio.rest.api.v2010.account.message.MessageList.__call__": (
            "twilio.rest.api.v2010.account.message.MessageContext"
        ),
        "twilio.rest.api.v2010.account.call.CallList.__call__": "twilio.rest.api.v2010.account.call.CallContext",
    },
)

#: Sync clients of infrastructure, data, API and media libraries (see _BLOCKING_INFRASTRUCTURE ...).
_RETURNS_MORE_LIBRARIES = _merge(
    _classes(
        [f"kubernetes.client.{api}" for api in _K8S_APIS]
        + ["kubernetes.watch.Watch", "docker.DockerClient"]
        + _names("confluent_kafka", "Consumer DeserializingConsumer Producer SerializingProducer")
        + ["confluent_kafka.admin.AdminClient"]
        + [f"{_BQ}Client"]
        + _names("google.cloud.pubsub_v1", "PublisherClient SubscriberClient")
        + [f"{_FS}Client"]
        + [f"{_AZ}{c}" for c in ("BlobClient", "BlobServiceClient", "ContainerClient")]
        + ["minio.Minio", "cassandra.cluster.Cluster", "clickhouse_driver.Client"]
        + _names("neo4j", "GraphDatabase ManagedTransaction")
        + ["oracledb.Connection"]
        + ["snowflake.connector.SnowflakeConnection"]
        + _names("git", "Git Repo")
        + ["pexpect.spawn", "pexpect.pxssh.pxssh", "netmiko.BaseConnection"]
        + ["yt_dlp.YoutubeDL", "tweepy.Client", "tweepy.API", "googlemaps.Client", "jira.JIRA"]
        + ["xmlrpc.client.ServerProxy"]
        + [f"geopy.geocoders.{g}" for g in _GEOCODERS]
        + [f"ccxt.{e}" for e in _CCXT_EXCHANGES]
        + ["sendgrid.SendGridAPIClient", "hvac.Client", "simple_salesforce.Salesforce"]
        + ["telebot.TeleBot", "apprise.Apprise", "discord_webhook.DiscordWebhook"]
        + ["websocket.WebSocket", "websocket.WebSocketApp"]
        + _names("socketio", "Client SimpleClient")
        + _names("pymemcache.client.base", "Client PooledClient")
        + ["pymemcache.client.hash.HashClient"]
        + ["kazoo.client.KazooClient", "etcd3.Etcd3Client"]
        + ["celery.Celery", "celery.result.AsyncResult", "celery.result.GroupResult"]
        + ["rq.Queue", "rq.job.Job"]
        + ["pydub.AudioSegment", "cv2.VideoCapture", "matplotlib.figure.Figure"]
        + ["reportlab.platypus.SimpleDocTemplate", "reportlab.pdfgen.canvas.Canvas"]
        + _names("pypdf", "PdfReader PdfWriter")
        + ["pymupdf.Document", "openpyxl.Workbook"]
        + _names("sentence_transformers", "CrossEncoder SentenceTransformer")
        + _names("faster_whisper", "BatchedInferencePipeline WhisperModel")
    ),
    # docker
    _to("docker.DockerClient", ["docker.from_env", "docker.DockerClient.from_env"]),
    _to(_DJ, _names(_DJ, _DJANGO_BUILDERS)),
    _classes(["django.db.models.Model"]),
    {"rasterio.open": "rasterio.io.DatasetReader", "pulp.LpProblem": "pulp.LpProblem",
     "docker.APIClient": "docker.APIClient"},
    _to(f"{_DM}containers.Container", _names(f"{_DM}containers.ContainerCollection", "create get run")),
    _to(f"{_DM}images.Image", _names(f"{_DM}images.ImageCollection", "get pull")),
    _to(f"{_DM}networks.Network", _names(f"{_DM}networks.NetworkCollection", "create get")),
    _to(f"{_DM}volumes.Volume", _names(f"{_DM}volumes.VolumeCollection", "create get")),
    # Google Cloud: BigQuery jobs, Pub/Sub futures (concurrent futures: TYPE_BASES), Firestore
    _to(f"{_BQ}Client", _names(f"{_BQ}Client", "from_service_account_info from_service_account_json")),
    {
        f"{_BQ}Client.query": f"{_BQ}QueryJob",
        f"{_BQ}Client.copy_table": f"{_BQ}CopyJob",
        f"{_BQ}Client.extract_table": f"{_BQ}ExtractJob",
        f"{_BQ}QueryJob.result": f"{_BQ}table.RowIterator",
        f"{_BQ}Client.query_and_wait": f"{_BQ}table.RowIterator",
        f"{_BQ}Client.list_rows": f"{_BQ}table.RowIterator",
        "google.cloud.pubsub_v1.PublisherClient.publish": "google.cloud.pubsub_v1.publisher.futures.Future",
        "google.cloud.pubsub_v1.SubscriberClient.subscribe": (
            "google.cloud.pubsub_v1.subscriber.futures.StreamingPullFuture"
        ),
    },
    _to(f"{_BQ}LoadJob", _names(f"{_BQ}Client", "load_table_from_dataframe load_table_from_file"
                                " load_table_from_json load_table_from_uri")),
    _to(f"{_FS}Client", ["firebase_admin.firestore.client"]),
    {
        f"{_FS}Client.collection": f"{_FS}CollectionReference",
        f"{_FS}Client.document": f"{_FS}DocumentReference",
        f"{_FS}Client.collection_group": f"{_FS}CollectionGroup",
        f"{_FS}Client.batch": f"{_FS}WriteBatch",
        f"{_FS}Client.transaction": f"{_FS}Transaction",
        f"{_FS}CollectionReference.document": f"{_FS}DocumentReference",
        f"{_FS}DocumentReference.collection": f"{_FS}CollectionReference",
    },
    _to(f"{_FS}Query", _names(f"{_FS}CollectionReference", _FS_QUERY_BUILDERS)),
    _to(f"{_FS}Query", _names(f"{_FS}Query", _FS_QUERY_BUILDERS)),
    # Azure Blob Storage: the sub-clients are made locally
    _azure_blob_types(_AZ),
    # databases
    {
        "neo4j.GraphDatabase.driver": "neo4j.Driver",
        "neo4j.Driver.session": "neo4j.Session",
        "neo4j.Session.run": "neo4j.Result",
        "neo4j.Session.begin_transaction": "neo4j.Transaction",
        "neo4j.Transaction.run": "neo4j.Result",
        "neo4j.ManagedTransaction.run": "neo4j.Result",
        "cassandra.cluster.Cluster.connect": "cassandra.cluster.Session",
        "cassandra.cluster.Session.execute_async": "cassandra.cluster.ResponseFuture",
        "clickhouse_driver.Client.from_url": "clickhouse_driver.Client",
        "clickhouse_connect.get_client": "clickhouse_connect.driver.client.Client",
        "clickhouse_connect.create_client": "clickhouse_connect.driver.client.Client",
        "pyodbc.connect": "pyodbc.Connection",
        "pyodbc.Connection.cursor": "pyodbc.Cursor",
        "pyodbc.Connection.execute": "pyodbc.Cursor",
        "pyodbc.Cursor.execute": "pyodbc.Cursor",
        "oracledb.connect": "oracledb.Connection",
        "oracledb.Connection.cursor": "oracledb.Cursor",
        "oracledb.Cursor.execute": "oracledb.Cursor",
        "snowflake.connector.connect": "snowflake.connector.SnowflakeConnection",
        "snowflake.connector.SnowflakeConnection.cursor": "snowflake.connector.cursor.SnowflakeCursor",
        "snowflake.connector.cursor.SnowflakeCursor.execute": (
            "snowflake.connector.cursor.SnowflakeCursor"
        ),
    },
    # tools
    {
        "git.Repo.clone_from": "git.Repo",
        "git.Repo.clone": "git.Repo",
        "git.Repo.init": "git.Repo",
        "git.Repo.remote": "git.Remote",
        "git.Repo.create_remote": "git.Remote",
        "netmiko.ConnectHandler": "netmiko.BaseConnection",
    },
    # web APIs
    _to(
        "gspread.Client",
        _names("gspread", "authorize oauth oauth_from_dict service_account service_account_from_dict"),
    ),
    _to("gspread.Spreadsheet", _names("gspread.Client", "copy create open open_by_key open_by_url")),
    _to(
        "gspread.Worksheet",
        _names("gspread.Spreadsheet", "add_worksheet duplicate_sheet get_worksheet get_worksheet_by_id worksheet"),
    ),
    _to("jira.resources.Issue", _names("jira.JIRA", "create_issue issue")),
    # bots, caches, jobs
    {
        "discord.SyncWebhook.from_url": "discord.SyncWebhook",
        "discord.SyncWebhook.partial": "discord.SyncWebhook",
        "websocket.create_connection": "websocket.WebSocket",
        "etcd3.client": "etcd3.Etcd3Client",
        "celery.Celery.AsyncResult": "celery.result.AsyncResult",
        "celery.Celery.GroupResult": "celery.result.GroupResult",
        "celery.Celery.send_task": "celery.result.AsyncResult",
        "rq.job.Job.fetch": "rq.job.Job",
        "rq.Queue.fetch_job": "rq.job.Job",
    },
    _to("rq.job.Job", _names("rq.Queue", "enqueue enqueue_at enqueue_call enqueue_in")),
    # media and models
    {
        "ffmpeg.input": "ffmpeg.nodes.FilterableStream",
        "ffmpeg.output": "ffmpeg.nodes.OutputStream",
        "ffmpeg.nodes.FilterableStream.output": "ffmpeg.nodes.OutputStream",
        "ffmpeg.nodes.OutputStream.global_args": "ffmpeg.nodes.OutputStream",
        "ffmpeg.nodes.OutputStream.overwrite_output": "ffmpeg.nodes.OutputStream",
        "matplotlib.pyplot.figure": "matplotlib.figure.Figure",
        "matplotlib.pyplot.gcf": "matplotlib.figure.Figure",
        "pymupdf.open": "pymupdf.Document",
        "pymupdf.Document.load_page": "pymupdf.Page",
        "pymupdf.Document.new_page": "pymupdf.Page",
        "openpyxl.load_workbook": "openpyxl.Workbook",
        "whisper.load_model": "whisper.model.Whisper",
    },
    _to(
        "ffmpeg.nodes.FilterableStream",
        _names(
            "ffmpeg.nodes.FilterableStream",
            "crop drawbox drawtext filter filter_ hflip hue overlay setpts trim vflip zoompan",
        ),
    ),
    _to("pydub.AudioSegment", _names("pydub.AudioSegment", "from_file from_mp3 from_ogg from_wav")),
)

#: The async twins of the libraries above.
_RETURNS_MORE_ASYNC_LIBRARIES = _merge(
    _classes(
        _names("confluent_kafka.aio", "AIOConsumer AIOProducer")
        + [f"{_FS}AsyncClient"]
        + [f"{_AZ}aio.{c}" for c in ("BlobClient", "BlobServiceClient", "ContainerClient")]
        + ["discord_webhook.AsyncDiscordWebhook", "telebot.async_telebot.AsyncTeleBot"]
        + _names("socketio", "AsyncClient AsyncSimpleClient")
        + ["tweepy.asynchronous.AsyncClient", "kubernetes_asyncio.client.ApiClient"]
        + _names("neo4j", "AsyncGraphDatabase AsyncManagedTransaction")
        + [f"kubernetes_asyncio.client.{api}" for api in _K8S_ASYNC_OPS]
        + [f"ccxt.async_support.{e}" for e in _CCXT_EXCHANGES]
    ),
    _to(f"{_FS}AsyncClient", ["firebase_admin.firestore_async.client"]),
    {
        f"{_FS}AsyncClient.collection": f"{_FS}AsyncCollectionReference",
        f"{_FS}AsyncClient.document": f"{_FS}AsyncDocumentReference",
        f"{_FS}AsyncClient.batch": f"{_FS}AsyncWriteBatch",
        f"{_FS}AsyncCollectionReference.document": f"{_FS}AsyncDocumentReference",
        f"{_FS}AsyncDocumentReference.collection": f"{_FS}AsyncCollectionReference",
        "neo4j.AsyncGraphDatabase.driver": "neo4j.AsyncDriver",
        "neo4j.AsyncDriver.session": "neo4j.AsyncSession",
        "neo4j.AsyncSession.run": "neo4j.AsyncResult",
        "neo4j.AsyncSession.begin_transaction": "neo4j.AsyncTransaction",
        "neo4j.AsyncTransaction.run": "neo4j.AsyncResult",
        "neo4j.AsyncManagedTransaction.run": "neo4j.AsyncResult",
        "clickhouse_connect.get_async_client": "clickhouse_connect.driver.asyncclient.AsyncClient",
        "clickhouse_connect.create_async_client": "clickhouse_connect.driver.asyncclient.AsyncClient",
        "oracledb.connect_async": "oracledb.AsyncConnection",
        "oracledb.AsyncConnection.cursor": "oracledb.AsyncCursor",
        "discord.Webhook.from_url": "discord.Webhook",
        "discord.Webhook.partial": "discord.Webhook",
    },
    _to(f"{_FS}AsyncQuery", _names(f"{_FS}AsyncCollectionReference", _FS_QUERY_BUILDERS)),
    _to(f"{_FS}AsyncQuery", _names(f"{_FS}AsyncQuery", _FS_QUERY_BUILDERS)),
    _azure_blob_types(f"{_AZ}aio."),
)

#: The SDKs, solvers and codecs of _BLOCKING_MORE_SDKS and _BLOCKING_SOLVERS_AND_CODECS.
_GAPIC_CLASSES = [f"{client}{kind}" for client in _GAPIC_CLIENTS for kind in ("Client", "AsyncClient")]
_RETURNS_SDKS_AND_SOLVERS = _merge(
    _classes(
        ["chess.engine.SimpleEngine"]
        + _names("elevenlabs.client", "AsyncElevenLabs ElevenLabs")
        + [f"vonage.{api}" for api in _VONAGE_APIS]
        + _names("vonage", "Client Vonage")
        + _GAPIC_CLASSES
        + ["google.cloud.translate_v2.Client"]
        + _names("entsoe", "EntsoePandasClient EntsoeRawClient")
        + ["redcap.Project", "nio.AsyncClient"]
        + ["ortools.constraint_solver.pywrapcp.RoutingModel", "ortools.constraint_solver.pywrapcp.Solver"]
        + ["ortools.sat.python.cp_model.CpSolver", "ortools.linear_solver.pywraplp.Solver"]
        + _names("lzma", "LZMACompressor LZMADecompressor")
        + _names("bz2", "BZ2Compressor BZ2Decompressor")
    ),
    _to("chess.engine.SimpleEngine", _names("chess.engine.SimpleEngine", "popen popen_uci popen_xboard")),
    {
        f"{client}.{factory}": client
        for client in _GAPIC_CLASSES
        for factory in ("from_service_account_file", "from_service_account_info", "from_service_account_json")
    },
    _to(
        "google.cloud.translate_v2.Client",
        _names("google.cloud.translate_v2.Client", "from_service_account_info from_service_account_json"),
    ),
    _to("google.api_core.operation.Operation", _GAPIC_OPERATIONS),
    _to("ortools.linear_solver.pywraplp.Solver", ["ortools.linear_solver.pywraplp.Solver.CreateSolver"]),
)

RETURN_TYPES: dict[str, str] = _merge(
    _RETURNS_SYNC, _RETURNS_ASYNC, _RETURNS_LIBRARIES_SYNC, _RETURNS_LIBRARIES_ASYNC,
    _RETURNS_DEVICES_AND_SDKS, _RETURNS_MORE_LIBRARIES, _RETURNS_MORE_ASYNC_LIBRARIES,
    _RETURNS_SDKS_AND_SOLVERS,
)

#: Type -> type bound by ``with``/``async with`` when it is not the type itself.
ENTER_TYPES: dict[str, str] = {
    "trio._core._run.NurseryManager": "trio.Nursery",
    # ``pool.acquire()`` is typed as its awaited result already; this covers
    # code that names the context type itself (annotations).
    "asyncpg.pool.PoolAcquireContext": "asyncpg.Connection",
    "aiobotocore.session.ClientCreatorContext": "aiobotocore.client.AioBaseClient",
}


def _sdk_attributes(client: str, resources: dict[str, str]) -> dict[str, str]:
    """``client.chat.completions``: each attribute path of an SDK client, and its type.

    ``resources`` maps a dotted path under the client (``chat.completions``)
    to the type found there. ``with_raw_response`` on a resource is typed as
    the resource itself: its methods make the same calls.
    """
    out: dict[str, str] = {}
    for path, resource in resources.items():
        parent, _, attr = path.rpartition(".")
        owner = resources[parent] if parent else client
        out[f"{owner}.{attr}"] = resource
        out[f"{resource}.with_raw_response"] = resource
    return out


def _openai_resources(prefix: str) -> dict[str, str]:
    """The OpenAI client's resources, sync (``prefix=""``) or async (``"Async"``)."""
    r = "openai.resources"
    return {
        "chat": f"{r}.chat.{prefix}Chat",
        "chat.completions": f"{r}.chat.{prefix}Completions",
        # openai 1.x: ``client.beta.chat.completions.parse(...)``
        "beta": f"{r}.beta.{prefix}Beta",
        "beta.chat": f"{r}.chat.{prefix}Chat",
        "completions": f"{r}.{prefix}Completions",
        "embeddings": f"{r}.{prefix}Embeddings",
        "images": f"{r}.{prefix}Images",
        "audio": f"{r}.audio.{prefix}Audio",
        "audio.speech": f"{r}.audio.{prefix}Speech",
        "audio.transcriptions": f"{r}.audio.{prefix}Transcriptions",
        "audio.translations": f"{r}.audio.{prefix}Translations",
        "moderations": f"{r}.{prefix}Moderations",
        "models": f"{r}.{prefix}Models",
        "files": f"{r}.{prefix}Files",
        "responses": f"{r}.responses.{prefix}Responses",
    }


def _anthropic_resources(prefix: str) -> dict[str, str]:
    """The Anthropic client's resources; ``beta.messages`` has the same methods as ``messages``."""
    r = "anthropic.resources"
    return {
        "messages": f"{r}.{prefix}Messages",
        "beta": f"{r}.beta.{prefix}Beta",
        "beta.messages": f"{r}.{prefix}Messages",
    }


_OPENAI_ATTRIBUTES = _merge(
    _sdk_attributes("openai.OpenAI", _openai_resources("")),
    _sdk_attributes("openai.AsyncOpenAI", _openai_resources("Async")),
)
_ANTHROPIC_ATTRIBUTES = _merge(
    _sdk_attributes("anthropic.Anthropic", _anthropic_resources("")),
    _sdk_attributes("anthropic.AsyncAnthropic", _anthropic_resources("Async")),
)

#: The collections and sub-APIs of sync clients (see _BLOCKING_INFRASTRUCTURE ...).
_MORE_ATTRIBUTES: dict[str, str] = {
    "docker.DockerClient.api": "docker.APIClient",
    "docker.DockerClient.containers": f"{_DM}containers.ContainerCollection",
    "docker.DockerClient.images": f"{_DM}images.ImageCollection",
    "docker.DockerClient.networks": f"{_DM}networks.NetworkCollection",
    "docker.DockerClient.volumes": f"{_DM}volumes.VolumeCollection",
    # GitPython: ``repo.git.<command>()`` runs git; ``repo.remotes`` is a list of
    # remotes, reached by name (``repo.remotes.origin``) or index.
    "git.Repo.git": "git.Git",
    "git.Repo.remotes": "git.util.IterableList",
    "git.util.IterableList.*": "git.Remote",
    # gspread: ``sheet1`` fetches the spreadsheet's metadata (a property: not reported)
    "gspread.Spreadsheet.sheet1": "gspread.Worksheet",
    # hvac: ``client.secrets.kv.v2.read_secret_version(...)``, ``client.auth.approle.login(...)``
    "hvac.Client.secrets": "hvac.api.SecretsEngines",
    "hvac.Client.auth": "hvac.api.AuthMethods",
    "hvac.api.SecretsEngines.kv": "hvac.api.secrets_engines.Kv",
    "hvac.api.secrets_engines.Kv.v1": "hvac.api.secrets_engines.KvV1",
    "hvac.api.secrets_engines.Kv.v2": "hvac.api.secrets_engines.KvV2",
    **{f"hvac.api.SecretsEngines.{a}": f"hvac.api.secrets_engines.{c}" for a, c in _HVAC_SECRETS_ENGINES.items()},
    **{f"hvac.api.AuthMethods.{a}": f"hvac.api.auth_methods.{c}" for a, c in _HVAC_AUTH_METHODS.items()},
    # ElevenLabs: ``client.text_to_speech.convert(...)``
    **_sdk_attributes(
        "elevenlabs.client.ElevenLabs",
        {a: f"elevenlabs.{m}.{c}" for a, (m, c, _) in _ELEVENLABS_RESOURCES.items()},
    ),
    **_sdk_attributes(
        "elevenlabs.client.AsyncElevenLabs",
        {a: f"elevenlabs.{m}.Async{c}" for a, (m, c, _) in _ELEVENLABS_RESOURCES.items()},
    ),
    # Vonage: v3's ``client.sms``, v4's ``vonage.Vonage(auth).sms``
    **{f"vonage.Client.{a}": f"vonage.{c}" for a, c in (
        ("sms", "Sms"), ("voice", "Voice"), ("verify", "Verify"), ("verify2", "Verify2"),
        ("messages", "Messages"),
    )},
    **{f"vonage.Vonage.{a}": f"vonage.{c}" for a, c in (
        ("sms", "Sms"), ("voice", "Voice"), ("verify", "Verify"),
        ("verify_legacy", "VerifyLegacy"), ("messages", "Messages"),
    )},
}

#: Type of attribute or subscript access on an instance.
ATTRIBUTE_TYPES: dict[str, str] = {
    **{path: f"{_GL}{m}" for path, (m, _) in _GITLAB_MANAGERS.items()},
    "web3.Web3.eth": "web3.eth.Eth",
    "django.db.models.Model.objects": "django.db.models.Manager",
    "zeep.Client.service": "zeep.proxy.ServiceProxy",
    # (its operations are coroutines, whose names the WSDL decides: nothing known blocks)
    "zeep.AsyncClient.service": "zeep.proxy.AsyncServiceProxy",
    "web3.AsyncWeb3.eth": "web3.eth.AsyncEth",
    "ldap3.Connection.extend": "ldap3.extend.ExtendedOperationsRoot",
    "ldap3.extend.ExtendedOperationsRoot.standard": "ldap3.extend.StandardExtendedOperations",
    "asyncua.Client.nodes": "asyncua.common.shortcuts.Shortcuts",
    **{f"asyncua.common.shortcuts.Shortcuts.{n}": "asyncua.Node"
       for n in ("root", "objects", "server", "types", "base_object_type")},
    "twilio.rest.Client.messages": "twilio.rest.api.v2010.account.message.MessageList",
    "twilio.rest.Client.calls": "twilio.rest.api.v2010.account.call.CallList",
    "pathlib.Path.parent": "pathlib.Path",
    # chat-bot frameworks: the objects a handler reaches from its arguments
    "telegram.Update.message": "telegram.Message",
    "telegram.Update.effective_message": "telegram.Message",
    "telegram.Update.edited_message": "telegram.Message",
    "telegram.Update.callback_query": "telegram.CallbackQuery",
    "telegram.CallbackQuery.message": "telegram.Message",
    "telegram.ext.CallbackContext.bot": "telegram.Bot",
    "telegram.Message.reply_to_message": "telegram.Message",
    "discord.Interaction.response": "discord.InteractionResponse",
    "discord.Interaction.channel": "discord.abc.Messageable",
    "discord.Message.channel": "discord.abc.Messageable",
    "discord.ext.commands.Context.channel": "discord.abc.Messageable",
    "aiogram.types.CallbackQuery.message": "aiogram.types.Message",
    "pymongo.MongoClient.*": "pymongo.database.Database",
    "pymongo.database.Database.*": "pymongo.collection.Collection",
    "pymongo.AsyncMongoClient.*": "pymongo.asynchronous.database.AsyncDatabase",
    "pymongo.asynchronous.database.AsyncDatabase.*": (
        "pymongo.asynchronous.collection.AsyncCollection"
    ),
    "motor.motor_asyncio.AsyncIOMotorClient.*": "motor.motor_asyncio.AsyncIOMotorDatabase",
    "motor.motor_asyncio.AsyncIOMotorDatabase.*": "motor.motor_asyncio.AsyncIOMotorCollection",
    **_OPENAI_ATTRIBUTES,
    **_ANTHROPIC_ATTRIBUTES,
    "elasticsearch.Elasticsearch.indices": "elasticsearch.client.IndicesClient",
    "elasticsearch.AsyncElasticsearch.indices": "elasticsearch._async.client.indices.IndicesClient",
    "boto3.resources.base.ServiceResource.meta": "boto3.resources.base.ResourceMeta",
    "boto3.resources.base.ResourceMeta.client": "botocore.client.BaseClient",
    "aio_pika.abc.AbstractChannel.default_exchange": "aio_pika.abc.AbstractExchange",
    **_MORE_ATTRIBUTES,
}

# --------------------------------------------------------------------------
# TYPE_BASES and TYPE_ALIASES
# --------------------------------------------------------------------------


def _bases(base: str, subclasses: Iterable[str]) -> dict[str, tuple[str, ...]]:
    return dict.fromkeys(subclasses, (base,))


#: Library subclass relations: type -> its bases that carry known methods.
TYPE_BASES: dict[str, tuple[str, ...]] = _merge(
    _bases("pathlib.Path", _names("pathlib", "PosixPath WindowsPath")),
    _bases("django.core.mail.EmailMessage", ["django.core.mail.EmailMultiAlternatives"]),
    _bases("deepl.Translator", ["deepl.DeepLClient"]),
    # a model's manager answers the QuerySet's methods
    _bases(_DJ, ["django.db.models.Manager"]),
    _bases("http.client.HTTPConnection", ["http.client.HTTPSConnection"]),
    _bases("urllib3.PoolManager", ["urllib3.ProxyManager"]),
    _bases("urllib3.HTTPConnectionPool", ["urllib3.HTTPSConnectionPool"]),
    _bases("smtplib.SMTP", _names("smtplib", "LMTP SMTP_SSL")),
    _bases("imaplib.IMAP4", ["imaplib.IMAP4_SSL", "imaplib.IMAP4_stream"]),
    _bases("poplib.POP3", ["poplib.POP3_SSL"]),
    _bases("gidgethub.abc.GitHubAPI", ["gidgethub.aiohttp.GitHubAPI", "gidgethub.httpx.GitHubAPI"]),
    _bases(
        "pyvisa.resources.MessageBasedResource",
        _names("pyvisa.resources", "GPIBInstrument SerialInstrument TCPIPInstrument TCPIPSocket USBInstrument"),
    ),
    _bases("ftplib.FTP", ["ftplib.FTP_TLS"]),
    _bases("socket.socket", ["ssl.SSLSocket"]),
    _bases(
        "selectors.BaseSelector",
        _names(
            "selectors",
            "DefaultSelector DevpollSelector EpollSelector KqueueSelector PollSelector"
            " SelectSelector",
        ),
    ),
    _bases("threading.Semaphore", ["threading.BoundedSemaphore"]),
    _bases("discord.abc.Messageable", ["discord.TextChannel", "discord.ext.commands.Context"]),
    _bases("aiohttp.web.StreamResponse", ["aiohttp.web.WebSocketResponse"]),
    _bases("threading.Thread", ["threading.Timer"]),
    # SimpleQueue is not a Queue: it has no join() and its put() never waits.
    _bases("queue.Queue", _names("queue", "LifoQueue PriorityQueue")),
    _bases("multiprocessing.queues.Queue", ["multiprocessing.queues.JoinableQueue"]),
    _bases("multiprocessing.pool.Pool", ["multiprocessing.pool.ThreadPool"]),
    _bases(
        "concurrent.futures.Executor",
        _names("concurrent.futures", "ProcessPoolExecutor ThreadPoolExecutor"),
    ),
    _bases("psycopg2.extensions.cursor", _names("psycopg2.extras", "DictCursor RealDictCursor")),
    _bases(
        "psycopg2.pool.AbstractConnectionPool",
        _names("psycopg2.pool", "SimpleConnectionPool ThreadedConnectionPool"),
    ),
    _bases("psycopg.Cursor", ["psycopg.ServerCursor"]),
    _bases("psycopg.AsyncCursor", ["psycopg.AsyncServerCursor"]),
    _bases("pymysql.cursors.Cursor", _names("pymysql.cursors", "DictCursor SSCursor")),
    _bases("pymysql.cursors.SSCursor", ["pymysql.cursors.SSDictCursor"]),
    _bases(
        "mysql.connector.abstracts.MySQLConnectionAbstract",
        [
            "mysql.connector.connection.MySQLConnection",
            "mysql.connector.connection_cext.CMySQLConnection",
        ],
    ),
    # The redis Pipeline classes subclass Redis in the library, but their
    # command methods only queue commands: they deliberately inherit nothing.
    _bases(
        "aiofiles.base.AsyncBase",
        [
            "aiofiles.threadpool.binary.AsyncBufferedIOBase",
            "aiofiles.threadpool.binary.AsyncBufferedReader",
            "aiofiles.threadpool.binary.AsyncFileIO",
            "aiofiles.threadpool.text.AsyncTextIOWrapper",
        ],
    ),
    _bases("asyncio.Future", ["asyncio.Task"]),
    _bases("asyncio.Queue", _names("asyncio", "LifoQueue PriorityQueue")),
    _bases("asyncio.Semaphore", ["asyncio.BoundedSemaphore"]),
    _bases("asyncio.AbstractEventLoop", ["asyncio.BaseEventLoop", "uvloop.Loop"]),
    # SDK clients and their variants
    _bases("requests.Session", _names("requests_oauthlib", "OAuth1Session OAuth2Session")),
    _bases("openai.OpenAI", ["openai.AzureOpenAI"]),
    _bases("openai.AsyncOpenAI", ["openai.AsyncAzureOpenAI"]),
    _bases("anthropic.Anthropic", _names("anthropic", "AnthropicBedrock AnthropicVertex")),
    _bases(
        "anthropic.AsyncAnthropic",
        _names("anthropic", "AsyncAnthropicBedrock AsyncAnthropicVertex"),
    ),
    # aio-pika's classes, as code annotates them
    _bases(
        "aio_pika.abc.AbstractConnection",
        ["aio_pika.abc.AbstractRobustConnection", "aio_pika.Connection"],
    ),
    _bases("aio_pika.Connection", ["aio_pika.RobustConnection"]),
    _bases("aio_pika.abc.AbstractChannel", ["aio_pika.Channel"]),
    _bases("aio_pika.Channel", ["aio_pika.RobustChannel"]),
    _bases("aio_pika.abc.AbstractQueue", ["aio_pika.Queue"]),
    _bases("aio_pika.Queue", ["aio_pika.RobustQueue"]),
    _bases("aio_pika.abc.AbstractExchange", ["aio_pika.Exchange"]),
    _bases("aio_pika.Exchange", ["aio_pika.RobustExchange"]),
    # sync clients of infrastructure, data and API libraries
    _bases("confluent_kafka.Producer", ["confluent_kafka.SerializingProducer"]),
    _bases("confluent_kafka.Consumer", ["confluent_kafka.DeserializingConsumer"]),
    _bases(
        "concurrent.futures.Future",
        [
            "google.cloud.pubsub_v1.publisher.futures.Future",
            "google.cloud.pubsub_v1.subscriber.futures.StreamingPullFuture",
        ],
    ),
    _bases(f"{_FS}Query", [f"{_FS}CollectionGroup"]),
    _bases("clickhouse_connect.driver.client.Client", ["clickhouse_connect.driver.httpclient.HttpClient"]),
    _bases("snowflake.connector.cursor.SnowflakeCursor", ["snowflake.connector.cursor.DictCursor"]),
    _bases("pexpect.spawn", ["pexpect.pxssh.pxssh"]),
    _bases("ccxt.Exchange", [f"ccxt.{e}" for e in _CCXT_EXCHANGES]),
    _bases("ccxt.async_support.Exchange", [f"ccxt.async_support.{e}" for e in _CCXT_EXCHANGES]),
    _bases("celery.result.ResultSet", ["celery.result.GroupResult"]),
    _bases("chess.engine.Protocol", _names("chess.engine", "UciProtocol XBoardProtocol")),
    _bases("entsoe.EntsoeRawClient", ["entsoe.EntsoePandasClient"]),
)


def _module_alias(alias: str, canonical: str, members: str) -> dict[str, str]:
    """``alias.member`` is ``canonical.member`` for every member."""
    return {f"{alias}.{member}": f"{canonical}.{member}" for member in members.split()}


#: Other import paths of the same thing -> the name used in the other tables.
TYPE_ALIASES: dict[str, str] = _merge(
    # the SDKs and device libraries of _BLOCKING_DEVICES_AND_SDKS
    {
        "gitlab.client.Gitlab": "gitlab.Gitlab",
        "github.MainClass.Github": "github.Github",
        "github.Github.Github": "github.Github",
        "slack_sdk.web.WebClient": "slack_sdk.WebClient",
        "slack_sdk.web.client.WebClient": "slack_sdk.WebClient",
        "slack.WebClient": "slack_sdk.WebClient",
        "serial.serialposix.Serial": "serial.Serial",
        "serial.serialwin32.Serial": "serial.Serial",
    },
    {
        f"{module}.{name}": f"starlette.{home}.{name}"
        for module in ("fastapi", "fastapi.websockets", "fastapi.requests", "fastapi.datastructures")
        for home, name in (("websockets", "WebSocket"), ("requests", "Request"), ("datastructures", "UploadFile"))
        if module == "fastapi" or module.rpartition(".")[2] == home
    },
    _module_alias("pymodbus.client.tcp", "pymodbus.client", "ModbusTcpClient"),
    _module_alias("pymodbus.client.udp", "pymodbus.client", "ModbusUdpClient"),
    _module_alias("pymodbus.client.serial", "pymodbus.client", "ModbusSerialClient"),
    _module_alias("pymodbus.client.tls", "pymodbus.client", "ModbusTlsClient"),
    # chat-bot frameworks
    {
        "telegram.ext.ContextTypes.DEFAULT_TYPE": "telegram.ext.CallbackContext",
        "telegram._update.Update": "telegram.Update",
        "telegram._message.Message": "telegram.Message",
        "aiogram.types.message.Message": "aiogram.types.Message",
    },
    # HTTP clients
    _module_alias("requests.api", "requests", _HTTP_VERBS),
    _module_alias("requests.sessions", "requests", "Session session"),
    _module_alias("httpx._api", "httpx", f"{_HTTP_VERBS} stream"),
    _module_alias("httpx._client", "httpx", "AsyncClient Client"),
    _module_alias("httpx._models", "httpx", "Response"),
    _module_alias("urllib3.poolmanager", "urllib3", "PoolManager ProxyManager"),
    _module_alias("urllib3.connectionpool", "urllib3", "HTTPConnectionPool HTTPSConnectionPool"),
    _module_alias("aiohttp.client", "aiohttp", "ClientSession request"),
    _module_alias("aiohttp.client_reqrep", "aiohttp", "ClientResponse"),
    _module_alias("aiohttp.client_ws", "aiohttp", "ClientWebSocketResponse"),
    _module_alias("aiohttp.connector", "aiohttp", "TCPConnector"),
    {"boto3.Session": "boto3.session.Session"},
    # stdlib
    _module_alias("concurrent.futures.thread", "concurrent.futures", "ThreadPoolExecutor"),
    _module_alias("concurrent.futures.process", "concurrent.futures", "ProcessPoolExecutor"),
    _module_alias(
        "concurrent.futures._base", "concurrent.futures", "Executor Future as_completed wait"
    ),
    {
        "multiprocessing.pool.ApplyResult": "multiprocessing.pool.AsyncResult",
        "multiprocessing.context.Process": "multiprocessing.Process",
        "sqlite3.dbapi2.connect": "sqlite3.connect",
    },
    # asyncio's own modules
    _module_alias("asyncio.tasks", "asyncio", "Task create_task ensure_future sleep wait wait_for"),
    _module_alias(
        "asyncio.locks", "asyncio", "Barrier BoundedSemaphore Condition Event Lock Semaphore"
    ),
    _module_alias("asyncio.queues", "asyncio", "LifoQueue PriorityQueue Queue"),
    _module_alias(
        "asyncio.streams",
        "asyncio",
        "StreamReader StreamWriter open_connection open_unix_connection start_server"
        " start_unix_server",
    ),
    _module_alias("asyncio.events", "asyncio", "AbstractEventLoop get_event_loop get_running_loop"),
    _module_alias(
        "asyncio.subprocess", "asyncio", "create_subprocess_exec create_subprocess_shell"
    ),
    _module_alias("asyncio.base_events", "asyncio", "BaseEventLoop Server"),
    _module_alias("asyncio.futures", "asyncio", "Future wrap_future"),
    _module_alias("asyncio.taskgroups", "asyncio", "TaskGroup"),
    _module_alias("asyncio.threads", "asyncio", "to_thread"),
    _module_alias("asyncio.timeouts", "asyncio", "Timeout timeout timeout_at"),
    # databases
    {
        "pymysql.Connect": "pymysql.connect",
        "pymysql.Connection": "pymysql.connections.Connection",
        "mysql.connector.MySQLConnection": "mysql.connector.connection.MySQLConnection",
        "pymongo.mongo_client.MongoClient": "pymongo.MongoClient",
        "pymongo.synchronous.mongo_client.MongoClient": "pymongo.MongoClient",
        "pymongo.synchronous.database.Database": "pymongo.database.Database",
        "pymongo.synchronous.collection.Collection": "pymongo.collection.Collection",
        "pymongo.asynchronous.mongo_client.AsyncMongoClient": "pymongo.AsyncMongoClient",
        "redis.StrictRedis": "redis.Redis",
        "redis.asyncio.StrictRedis": "redis.asyncio.Redis",
    },
    _module_alias("redis.client", "redis", "Redis"),
    {"redis.client.StrictRedis": "redis.Redis"},
    _module_alias("redis.utils", "redis", "from_url"),
    _module_alias("redis.asyncio.client", "redis.asyncio", "Redis"),
    {"redis.asyncio.client.StrictRedis": "redis.asyncio.Redis"},
    _module_alias("redis.asyncio.utils", "redis.asyncio", "from_url"),
    _module_alias("psycopg.connection", "psycopg", "Connection"),
    _module_alias("psycopg.connection_async", "psycopg", "AsyncConnection"),
    _module_alias("psycopg.cursor", "psycopg", "Cursor"),
    _module_alias("psycopg.cursor_async", "psycopg", "AsyncCursor"),
    _module_alias("psycopg.server_cursor", "psycopg", "AsyncServerCursor ServerCursor"),
    _module_alias("asyncpg.connection", "asyncpg", "Connection connect"),
    _module_alias("asyncpg.pool", "asyncpg", "Pool create_pool"),
    _module_alias("aiosqlite.core", "aiosqlite", "Connection connect"),
    _module_alias("aiosqlite.cursor", "aiosqlite", "Cursor"),
    _module_alias("aiomysql.connection", "aiomysql", "Connection connect"),
    _module_alias("aiomysql.pool", "aiomysql", "Pool create_pool"),
    _module_alias("aiomysql.cursors", "aiomysql", "Cursor"),
    _module_alias("sqlalchemy", "sqlalchemy.engine", "Connection Engine"),
    _module_alias("sqlalchemy.engine.base", "sqlalchemy.engine", "Connection Engine"),
    _module_alias("sqlalchemy.engine.create", "sqlalchemy", "create_engine"),
    {"sqlalchemy.engine.create_engine": "sqlalchemy.create_engine"},
    _module_alias("sqlalchemy.orm.session", "sqlalchemy.orm", "Session sessionmaker"),
    _module_alias("sqlalchemy.orm.query", "sqlalchemy.orm", "Query"),
    _module_alias(
        "sqlalchemy.ext.asyncio.session",
        "sqlalchemy.ext.asyncio",
        "AsyncSession async_sessionmaker",
    ),
    _module_alias(
        "sqlalchemy.ext.asyncio.engine",
        "sqlalchemy.ext.asyncio",
        "AsyncConnection AsyncEngine create_async_engine",
    ),
    # websockets: since version 14 the top-level names are the new asyncio implementation.
    {
        "websockets.asyncio.client.connect": "websockets.connect",
        "websockets.asyncio.server.serve": "websockets.serve",
        "websockets.ClientConnection": "websockets.asyncio.client.ClientConnection",
        "websockets.ServerConnection": "websockets.asyncio.server.ServerConnection",
        "asyncua.common.node.Node": "asyncua.Node",
        "asyncua.client.client.Client": "asyncua.Client",
        "asyncua.client.Client": "asyncua.Client",
        "websockets.WebSocketServerProtocol": "websockets.legacy.server.WebSocketServerProtocol",
        "websockets.server.WebSocketServerProtocol": "websockets.legacy.server.WebSocketServerProtocol",
        "websockets.legacy.protocol.WebSocketCommonProtocol": "websockets.legacy.server.WebSocketServerProtocol",
        "websockets.asyncio.connection.Connection": "websockets.asyncio.server.ServerConnection",
        "websockets.client.connect": "websockets.legacy.client.connect",
        "websockets.legacy.client.Connect": "websockets.legacy.client.connect",
    },
    # anyio
    _module_alias("anyio._core._fileio", "anyio", "AsyncFile Path open_file wrap_file"),
    # archives and images
    {"tarfile.TarFile.open": "tarfile.open", "PIL.ImageFile.ImageFile": "PIL.Image.Image"},
    # SDK clients
    {
        "openai.Client": "openai.OpenAI",
        "openai.AsyncClient": "openai.AsyncOpenAI",
        "anthropic.Client": "anthropic.Anthropic",
        "anthropic.AsyncClient": "anthropic.AsyncAnthropic",
        "boto3.resources.factory.ServiceResource": "boto3.resources.base.ServiceResource",
        "paramiko.SFTP": "paramiko.SFTPClient",
        "asyncio_mqtt.Client": "aiomqtt.Client",
        "pika.adapters.BlockingConnection": "pika.BlockingConnection",
        "pika.adapters.blocking_connection.BlockingConnection": "pika.BlockingConnection",
    },
    _module_alias("openai._client", "openai", "AsyncOpenAI OpenAI"),
    _module_alias("openai.lib.azure", "openai", "AsyncAzureOpenAI AzureOpenAI"),
    _module_alias("openai.resources.chat.chat", "openai.resources.chat", "AsyncChat Chat"),
    _module_alias(
        "openai.resources.chat.completions",
        "openai.resources.chat",
        "AsyncCompletions Completions",
    ),
    _module_alias(
        "openai.resources.chat.completions.completions",
        "openai.resources.chat",
        "AsyncCompletions Completions",
    ),
    _module_alias("openai.resources.embeddings", "openai.resources", "AsyncEmbeddings Embeddings"),
    _module_alias("openai.resources.images", "openai.resources", "AsyncImages Images"),
    _module_alias(
        "openai.resources.responses.responses",
        "openai.resources.responses",
        "AsyncResponses Responses",
    ),
    _module_alias("anthropic._client", "anthropic", "Anthropic AsyncAnthropic"),
    _module_alias(
        "anthropic.resources.messages", "anthropic.resources", "AsyncMessages Messages"
    ),
    _module_alias(
        "anthropic.resources.messages.messages", "anthropic.resources", "AsyncMessages Messages"
    ),
    _module_alias("anthropic.lib.bedrock", "anthropic", "AnthropicBedrock AsyncAnthropicBedrock"),
    _module_alias("anthropic.lib.vertex", "anthropic", "AnthropicVertex AsyncAnthropicVertex"),
    _module_alias("google.cloud.storage.client", "google.cloud.storage", "Client"),
    _module_alias("google.cloud.storage.bucket", "google.cloud.storage", "Bucket"),
    _module_alias("google.cloud.storage.blob", "google.cloud.storage", "Blob"),
    _module_alias("elasticsearch.client", "elasticsearch", "AsyncElasticsearch Elasticsearch"),
    _module_alias("paramiko.client", "paramiko", "SSHClient"),
    _module_alias("paramiko.sftp_client", "paramiko", "SFTPClient"),
    _module_alias("kafka.producer", "kafka", "KafkaProducer"),
    _module_alias("kafka.consumer", "kafka", "KafkaConsumer"),
    _module_alias("aiokafka.producer", "aiokafka", "AIOKafkaProducer"),
    _module_alias("aiokafka.consumer", "aiokafka", "AIOKafkaConsumer"),
    _module_alias("aiomqtt.client", "aiomqtt", "Client"),
    _module_alias("aiosmtplib.smtp", "aiosmtplib", "SMTP"),
    _module_alias("aiosmtplib.api", "aiosmtplib", "send"),
    _module_alias("aio_pika.robust_connection", "aio_pika", "connect_robust"),
    _module_alias("aio_pika.connection", "aio_pika", "connect"),
    _module_alias("asyncssh.connection", "asyncssh", "SSHClientConnection connect"),
    # sync clients of infrastructure, data, API and media libraries (and their twins)
    {
        "docker.client.DockerClient": "docker.DockerClient",
        "django.core.mail.message.EmailMessage": "django.core.mail.EmailMessage",
        "django.core.mail.message.EmailMultiAlternatives": "django.core.mail.EmailMultiAlternatives",
        "docker.client.from_env": "docker.from_env",
        "confluent_kafka.cimpl.Producer": "confluent_kafka.Producer",
        "confluent_kafka.cimpl.Consumer": "confluent_kafka.Consumer",
        "google.cloud.bigquery.client.Client": "google.cloud.bigquery.Client",
        "google.cloud.firestore_v1.client.Client": "google.cloud.firestore.Client",
        "google.cloud.firestore_v1.async_client.AsyncClient": "google.cloud.firestore.AsyncClient",
        "minio.api.Minio": "minio.Minio",
        "clickhouse_connect.driver.Client": "clickhouse_connect.driver.client.Client",
        "clickhouse_connect.driver.AsyncClient": "clickhouse_connect.driver.asyncclient.AsyncClient",
        # mysqlclient (MySQLdb): PyMySQL implements the same API (its install_as_MySQLdb()
        # makes ``import MySQLdb`` import it), so the names map onto PyMySQL's.
        "MySQLdb.connect": "pymysql.connect",
        "MySQLdb.Connect": "pymysql.connect",
        "MySQLdb.Connection": "pymysql.connect",
        "MySQLdb.connections.Connection": "pymysql.connections.Connection",
        "MySQLdb.cursors.Cursor": "pymysql.cursors.Cursor",
        "MySQLdb.cursors.DictCursor": "pymysql.cursors.DictCursor",
        "MySQLdb.cursors.SSCursor": "pymysql.cursors.SSCursor",
        "MySQLdb.cursors.SSDictCursor": "pymysql.cursors.SSDictCursor",
        "snowflake.connector.connection.SnowflakeConnection": "snowflake.connector.SnowflakeConnection",
        "snowflake.connector.SnowflakeCursor": "snowflake.connector.cursor.SnowflakeCursor",
        "snowflake.connector.DictCursor": "snowflake.connector.cursor.DictCursor",
        "git.repo.Repo": "git.Repo",
        "git.repo.base.Repo": "git.Repo",
        "git.remote.Remote": "git.Remote",
        "git.cmd.Git": "git.Git",
        "pexpect.pty_spawn.spawn": "pexpect.spawn",
        "netmiko.Netmiko": "netmiko.ConnectHandler",
        "netmiko.base_connection.BaseConnection": "netmiko.BaseConnection",
        "gspread.client.Client": "gspread.Client",
        "gspread.spreadsheet.Spreadsheet": "gspread.Spreadsheet",
        "gspread.worksheet.Worksheet": "gspread.Worksheet",
        "tweepy.client.Client": "tweepy.Client",
        "tweepy.api.API": "tweepy.API",
        "googlemaps.client.Client": "googlemaps.Client",
        "ccxt.base.exchange.Exchange": "ccxt.Exchange",
        "ccxt.async_support.base.exchange.Exchange": "ccxt.async_support.Exchange",
        "jira.client.JIRA": "jira.JIRA",
        "jira.Issue": "jira.resources.Issue",
        "sendgrid.sendgrid.SendGridAPIClient": "sendgrid.SendGridAPIClient",
        "hvac.v1.Client": "hvac.Client",
        "simple_salesforce.api.Salesforce": "simple_salesforce.Salesforce",
        "etcd3.client.Etcd3Client": "etcd3.Etcd3Client",
        "celery.app.base.Celery": "celery.Celery",
        "rq.queue.Queue": "rq.Queue",
        "pydub.audio_segment.AudioSegment": "pydub.AudioSegment",
        "reportlab.platypus.doctemplate.SimpleDocTemplate": "reportlab.platypus.SimpleDocTemplate",
        # PyPDF2 is pypdf's former name; its 3.x releases have the same API.
        "PyPDF2.PdfReader": "pypdf.PdfReader",
        "PyPDF2.PdfWriter": "pypdf.PdfWriter",
        "openpyxl.workbook.Workbook": "openpyxl.Workbook",
        "openpyxl.workbook.workbook.Workbook": "openpyxl.Workbook",
        "openpyxl.reader.excel.load_workbook": "openpyxl.load_workbook",
        "scapy.layers.inet.traceroute": "scapy.all.traceroute",
        "scapy.layers.l2.arping": "scapy.all.arping",
    },
    # cx_Oracle is python-oracledb's former name, with the same API; ``import fitz`` is
    # PyMuPDF's older import name.
    _module_alias("cx_Oracle", "oracledb", "Connection Cursor connect"),
    _module_alias("fitz", "pymupdf", "Document Page open"),
    _module_alias("google.cloud.bigquery.job", "google.cloud.bigquery", " ".join(_BQ_JOBS)),
    _module_alias("google.cloud.pubsub", "google.cloud.pubsub_v1", "PublisherClient SubscriberClient"),
    _module_alias(
        "google.cloud.firestore_v1",
        "google.cloud.firestore",
        "AsyncClient AsyncCollectionReference AsyncDocumentReference AsyncQuery AsyncWriteBatch"
        " Client CollectionGroup CollectionReference DocumentReference Query Transaction WriteBatch",
    ),
    _module_alias("clickhouse_connect.driver", "clickhouse_connect", "create_async_client create_client"),
    _module_alias("pymemcache", "pymemcache.client.base", "Client PooledClient"),
    _module_alias("pymemcache.client", "pymemcache.client.base", "Client PooledClient"),
    {
        "pymemcache.HashClient": "pymemcache.client.hash.HashClient",
        "pymemcache.client.HashClient": "pymemcache.client.hash.HashClient",
    },
    _module_alias("geopy", "geopy.geocoders", " ".join(_GEOCODERS)),
    _module_alias(
        "prometheus_client.exposition",
        "prometheus_client",
        "delete_from_gateway push_to_gateway pushadd_to_gateway",
    ),
    _module_alias("scapy.sendrecv", "scapy.all", "sniff sr sr1 srloop srp srp1"),
    # the SDKs of _BLOCKING_MORE_SDKS
    _module_alias("elevenlabs", "elevenlabs.client", "AsyncElevenLabs ElevenLabs"),
    _module_alias("vonage.vonage", "vonage", "Vonage"),
    _module_alias("vonage.client", "vonage", "Client"),
    {
        # v3 modules, then the v4 packages
        "vonage.sms.Sms": "vonage.Sms",
        "vonage.voice.Voice": "vonage.Voice",
        "vonage.verify.Verify": "vonage.Verify",
        "vonage.verify2.Verify2": "vonage.Verify2",
        "vonage.messages.Messages": "vonage.Messages",
        "vonage_sms.Sms": "vonage.Sms",
        "vonage_sms.sms.Sms": "vonage.Sms",
        "vonage_voice.Voice": "vonage.Voice",
        "vonage_voice.voice.Voice": "vonage.Voice",
        "vonage_verify.Verify": "vonage.Verify",
        "vonage_verify.verify.Verify": "vonage.Verify",
        "vonage_verify_legacy.VerifyLegacy": "vonage.VerifyLegacy",
        "vonage_verify_legacy.verify_legacy.VerifyLegacy": "vonage.VerifyLegacy",
        "vonage_messages.Messages": "vonage.Messages",
        "vonage_messages.messages.Messages": "vonage.Messages",
        # google-cloud-translate 1.x: ``from google.cloud import translate; translate.Client()``
        "google.cloud.translate.Client": "google.cloud.translate_v2.Client",
        "google.cloud.translate_v2.client.Client": "google.cloud.translate_v2.Client",
        "redcap.project.Project": "redcap.Project",
    },
    _module_alias("google.cloud.vision_v1", "google.cloud.vision", "ImageAnnotatorAsyncClient ImageAnnotatorClient"),
    _module_alias("google.cloud.speech_v1", "google.cloud.speech", "SpeechAsyncClient SpeechClient"),
    _module_alias(
        "google.cloud.texttospeech_v1", "google.cloud.texttospeech", "TextToSpeechAsyncClient TextToSpeechClient"
    ),
    _module_alias(
        "google.cloud.translate",
        "google.cloud.translate_v3",
        "TranslationServiceAsyncClient TranslationServiceClient",
    ),
    # (language_v2's client is another class, whose RPCs are a subset of language_v1's)
    *(
        _module_alias(v, "google.cloud.language", "LanguageServiceAsyncClient LanguageServiceClient")
        for v in ("google.cloud.language_v1", "google.cloud.language_v2")
    ),
    _module_alias(
        "google.cloud.secretmanager_v1",
        "google.cloud.secretmanager",
        "SecretManagerServiceAsyncClient SecretManagerServiceClient",
    ),
    _module_alias("google.cloud.tasks_v2", "google.cloud.tasks", "CloudTasksAsyncClient CloudTasksClient"),
    _module_alias(
        "google.cloud.documentai_v1",
        "google.cloud.documentai",
        "DocumentProcessorServiceAsyncClient DocumentProcessorServiceClient",
    ),
    _module_alias(
        "google.cloud.kms_v1", "google.cloud.kms", "KeyManagementServiceAsyncClient KeyManagementServiceClient"
    ),
    _module_alias("entsoe.entsoe", "entsoe", "EntsoePandasClient EntsoeRawClient"),
    _module_alias("nio.client", "nio", "AsyncClient"),
    _module_alias("nio.client.async_client", "nio", "AsyncClient"),
)

# --------------------------------------------------------------------------
# COROUTINE_FUNCTIONS
# --------------------------------------------------------------------------

_ASYNCIO_COROUTINES = (
    _names(
        "asyncio",
        "create_subprocess_exec create_subprocess_shell open_connection open_unix_connection"
        " sleep start_server start_unix_server to_thread wait wait_for",
    )
    + _names("asyncio.Queue", "get join put")
    + _names("asyncio.Lock", "acquire")
    + _names("asyncio.Event", "wait")
    + _names("asyncio.Condition", "acquire wait wait_for")
    + _names("asyncio.Semaphore", "acquire")
    + _names("asyncio.Barrier", "abort reset wait")
    + _names("asyncio.StreamReader", "read readexactly readline readuntil")
    + _names("asyncio.StreamWriter", "drain start_tls wait_closed")
    + _names("asyncio.subprocess.Process", "communicate wait")
    + _names("asyncio.Server", "serve_forever start_serving wait_closed")
    # run_in_executor returns a future: the work runs anyway, but an
    # exception is lost unless someone awaits it.
    + _names(
        "asyncio.AbstractEventLoop",
        "connect_accepted_socket connect_read_pipe connect_write_pipe create_connection"
        " create_datagram_endpoint create_server create_unix_connection create_unix_server"
        " getaddrinfo getnameinfo run_in_executor sendfile shutdown_asyncgens"
        " shutdown_default_executor sock_accept sock_connect sock_recv sock_recv_into"
        " sock_recvfrom sock_recvfrom_into sock_sendall sock_sendfile sock_sendto start_tls"
        " subprocess_exec subprocess_shell",
    )
)

_HTTP_COROUTINES = (
    # ClientSession.get() & co. return an awaitable async context manager.
    _names("aiohttp.ClientSession", f"{_HTTP_VERBS} close ws_connect")
    + _names("aiohttp", "request")
    # ClientResponse.release() is a plain method in aiohttp 3 (it returns a
    # no-op awaitable only for backward compatibility): not listed.
    + _names("aiohttp.ClientResponse", "json read text wait_for_close")
    + _names(
        "aiohttp.ClientWebSocketResponse",
        "close ping pong receive receive_bytes receive_json receive_str send_bytes send_json"
        " send_str",
    )
    # The server side: aiohttp.web handlers.
    + _names("aiohttp.web.Request", "json post read text release")
    + _names("aiohttp.web.StreamResponse", "prepare write write_eof drain")
    + _names(
        "aiohttp.web.WebSocketResponse",
        "close ping pong receive receive_bytes receive_json receive_str send_bytes"
        " send_json send_str",
    )
    # The server side: Starlette (and FastAPI, which re-exports its classes).
    + _names(
        "starlette.websockets.WebSocket",
        "accept close receive receive_bytes receive_json receive_text send send_bytes send_json"
        " send_text send_denial_response",
    )
    + _names("starlette.requests.Request", "body json form close send_push_promise")
    + _names("starlette.datastructures.UploadFile", "read write seek close")
    # AsyncClient.stream() is an async context manager, not an awaitable.
    + _names("httpx.AsyncClient", f"{_HTTP_VERBS} aclose send")
    + _names("httpx.Response", "aclose aread")
    + _names("websockets", "connect serve")
    + _names("websockets.legacy.client", "connect")
    + _names("websockets.asyncio.client.ClientConnection", "close ping pong recv send wait_closed")
    + _names("websockets.asyncio.server.ServerConnection", "close ping pong recv send wait_closed")
    + _names(
        "websockets.legacy.server.WebSocketServerProtocol", "close ping pong recv send wait_closed"
    )
    + _names(
        "websockets.legacy.client.WebSocketClientProtocol", "close ping pong recv send wait_closed"
    )
)

_DATABASE_COROUTINES = (
    _names("asyncpg", "connect create_pool")
    + _names(
        "asyncpg.Connection",
        "add_listener close copy_from_query copy_from_table copy_records_to_table copy_to_table"
        " execute executemany fetch fetchrow fetchval prepare reload_schema_state"
        " remove_listener reset set_builtin_type_codec set_type_codec",
    )
    + _names(
        "asyncpg.Pool",
        "acquire close copy_from_query copy_from_table copy_records_to_table copy_to_table"
        " execute executemany expire_connections fetch fetchrow fetchval release",
    )
    + _names("asyncpg.transaction.Transaction", "commit rollback start")
    + _names(
        "asyncpg.prepared_stmt.PreparedStatement", "executemany explain fetch fetchrow fetchval"
    )
    + _names("redis.asyncio.Redis", f"{_REDIS_COMMANDS} aclose close initialize")
    + _names("redis.asyncio.client.Pipeline", "execute watch")
    + _names(
        "redis.asyncio.client.PubSub",
        "aclose get_message psubscribe punsubscribe subscribe unsubscribe",
    )
    + _names("redis.asyncio.lock.Lock", "acquire extend release")
    + ["aiosqlite.connect"]
    + _names(
        "aiosqlite.Connection",
        "backup close commit create_function cursor execute execute_fetchall execute_insert"
        " executemany executescript rollback",
    )
    + _names(
        "aiosqlite.Cursor", "close execute executemany executescript fetchall fetchmany fetchone"
    )
    + _names("aiomysql", "connect create_pool")
    # aiomysql's Connection.close() and Pool.close() are plain methods.
    + _names(
        "aiomysql.Connection",
        "autocommit begin commit cursor ensure_closed ping rollback select_db",
    )
    + _names("aiomysql.Cursor", "callproc close execute executemany fetchall fetchmany fetchone")
    + _names("aiomysql.Pool", "acquire clear wait_closed")
    + _names("psycopg.AsyncConnection", "close commit connect execute rollback")
    + _names("psycopg.AsyncCursor", "close execute executemany fetchall fetchmany fetchone")
    # motor: find() and aggregate() return cursors synchronously.
    + _names(
        "motor.motor_asyncio.AsyncIOMotorClient", "drop_database list_database_names server_info"
    )
    + _names(
        "motor.motor_asyncio.AsyncIOMotorDatabase",
        "command create_collection drop_collection list_collection_names",
    )
    + _names("motor.motor_asyncio.AsyncIOMotorCollection", _MONGO_COLLECTION_OPS)
    + _names("motor.motor_asyncio.AsyncIOMotorCursor", "to_list")
    # pymongo's async API: here aggregate() is a coroutine, find() is not.
    + _names("pymongo.AsyncMongoClient", "close drop_database list_database_names server_info")
    + _names(
        "pymongo.asynchronous.database.AsyncDatabase",
        "command create_collection drop_collection list_collection_names",
    )
    + _names(
        "pymongo.asynchronous.collection.AsyncCollection", f"{_MONGO_COLLECTION_OPS} aggregate"
    )
    + _names("pymongo.asynchronous.cursor.AsyncCursor", "to_list")
    # SQLAlchemy's asyncio extension (AsyncSession.add() is a plain method).
    + _names(
        "sqlalchemy.ext.asyncio.AsyncSession",
        "close commit delete execute flush get merge refresh rollback run_sync scalar scalars"
        " stream stream_scalars",
    )
    + _names("sqlalchemy.ext.asyncio.AsyncEngine", "connect dispose")
    + _names(
        "sqlalchemy.ext.asyncio.AsyncConnection",
        "close commit exec_driver_sql execute rollback run_sync scalar scalars start stream",
    )
)

_FILE_COROUTINES = (
    _names("aiofiles", "open")
    + _names(
        "aiofiles.base.AsyncBase",
        "close flush read readline readlines seek tell truncate write writelines",
    )
    + _names(
        "aiofiles.os",
        "listdir makedirs mkdir remove removedirs rename renames replace rmdir scandir sendfile"
        " stat unlink",
    )
    + _names("aiofiles.os.path", "exists getmtime getsize isdir isfile")
)

_ANYIO_TRIO_COROUTINES = (
    _names(
        "anyio",
        "connect_tcp connect_unix create_tcp_listener getaddrinfo open_file open_process"
        " run_process sleep sleep_forever sleep_until",
    )
    + _names("anyio.to_thread", "run_sync")
    + _names("anyio.to_process", "run_sync")
    + _names(
        "anyio.AsyncFile",
        "aclose flush read readline readlines seek tell truncate write writelines",
    )
    + _names(
        "anyio.Path",
        "exists is_dir is_file mkdir open read_bytes read_text rename replace resolve rmdir stat"
        " touch unlink write_bytes write_text",
    )
    + _names("anyio.Event", "wait")
    + _names("anyio.Lock", "acquire")
    + _names("anyio.Semaphore", "acquire")
    + _names("anyio.CapacityLimiter", "acquire")
    + _names("anyio.Condition", "acquire wait")
    + _names("anyio.abc.TaskGroup", "start")
    + _names("anyio.abc.SocketStream", "aclose receive send")
    + _names("trio", "open_file open_tcp_stream run_process sleep sleep_forever sleep_until")
    + _names("trio.to_thread", "run_sync")
    + _names("trio.lowlevel", "checkpoint")
    + _names("trio.Event", "wait")
    + _names("trio.Lock", "acquire")
    + _names("trio.Semaphore", "acquire")
    + _names("trio.CapacityLimiter", "acquire")
    + _names("trio.Condition", "acquire wait")
    + _names("trio.Nursery", "start")
    + _names("trio.SocketStream", "aclose receive_some send_all wait_send_all_might_not_block")
)

_OTHER_COROUTINES = (
    _names("starlette.concurrency", "run_in_threadpool")
    + _names("fastapi.concurrency", "run_in_threadpool")
    + _names("aiojobs.Scheduler", "close spawn wait_and_close")
    + _names("aiolimiter.AsyncLimiter", "acquire")
    + _names("asyncio_throttle.Throttler", "acquire")
)

# Async SDK clients and brokers: the twins of the sync clients in BLOCKING_CALLS.
# Methods returning async iterators or context managers are left out
# (``AsyncModels.list`` is a paginator, ``AsyncMessages.stream`` a manager).
_AWS_COMMON_OPS = """
    assume_role batch_get_item batch_write_item complete_multipart_upload converse copy_object
    create_multipart_upload delete_item delete_message delete_object delete_objects
    download_file download_fileobj get_caller_identity get_item get_object get_parameter
    get_queue_url get_secret_value head_bucket head_object invoke invoke_model list_buckets
    list_objects list_objects_v2 publish put_item put_object put_record put_records query
    receive_message scan send_email send_message send_message_batch update_item upload_file
    upload_fileobj upload_part
"""
_SERVICE_COROUTINES = (
    # web3.py's AsyncWeb3
    _names("web3.eth.AsyncEth", _ETH_METHODS)
    # asyncua (OPC UA)
    + _names(
        "asyncua.Client",
        "connect connect_socket create_session create_subscription delete_nodes disconnect"
        " get_namespace_array get_namespace_index load_data_type_definitions load_type_definitions"
        " read_values write_values",
    )
    + _names(
        "asyncua.Node",
        "add_folder add_method add_object add_property add_variable call_method delete"
        " get_child get_children read_attribute read_browse_name read_data_type"
        " read_data_value read_display_name read_node_class read_value set_value"
        " write_attribute write_value",
    )
    + _names("openai.AsyncOpenAI", "close")
    + _names("openai.resources.chat.AsyncCompletions", "create parse")
    + _names("openai.resources.AsyncCompletions", "create")
    + _names("openai.resources.AsyncEmbeddings", "create")
    + _names("openai.resources.AsyncImages", "create_variation edit generate")
    + _names("openai.resources.audio.AsyncSpeech", "create")
    + _names("openai.resources.audio.AsyncTranscriptions", "create")
    + _names("openai.resources.audio.AsyncTranslations", "create")
    + _names("openai.resources.AsyncModerations", "create")
    + _names("openai.resources.AsyncModels", "delete retrieve")
    + _names("openai.resources.AsyncFiles", "content create delete retrieve")
    + _names("openai.resources.responses.AsyncResponses", "cancel create delete parse retrieve")
    + _names("anthropic.AsyncAnthropic", "close")
    + _names("anthropic.resources.AsyncMessages", "count_tokens create parse")
    + _names("aiobotocore.client.AioBaseClient", f"{_AWS_COMMON_OPS} close generate_presigned_url")
    + _names("elasticsearch.AsyncElasticsearch", f"{_ES_OPS} close")
    + _names("elasticsearch._async.client.indices.IndicesClient", _ES_INDICES_OPS)
    + _names("elasticsearch.helpers", "async_bulk async_reindex")
    + _names("aiomqtt.Client", "publish subscribe unsubscribe")
    + _names("aiokafka.AIOKafkaProducer", "flush send send_and_wait send_batch start stop")
    + _names("aiokafka.AIOKafkaConsumer", "commit committed getmany getone position start stop")
    # aio-pika 9+ (message.ack() became a coroutine in 9: left out)
    + _names("aio_pika", "connect connect_robust")
    + _names("aio_pika.abc.AbstractConnection", "close")
    + _names("aio_pika.abc.AbstractRobustConnection", "close")
    + _names(
        "aio_pika.abc.AbstractChannel",
        "close declare_exchange declare_queue get_exchange get_queue set_qos",
    )
    + _names("aio_pika.abc.AbstractExchange", "bind delete publish unbind")
    + _names("aio_pika.abc.AbstractQueue", "bind cancel consume delete get purge unbind")
    + _names("aiosmtplib", "send")
    + _names(
        "aiosmtplib.SMTP",
        "connect ehlo helo login noop quit send_message sendmail starttls",
    )
    + _names("qdrant_client.AsyncQdrantClient", f"{_QDRANT_OPS} close")
    # gidgethub's GitHub API clients (getiter is an async generator: left out)
    + _names("gidgethub.abc.GitHubAPI", "delete getitem getstatus graphql patch post put")
    # nats-py: the client and the messages handed to subscribers
    + _names("nats", "connect")
    + _names("nats.aio.client.Client", "close connect drain flush jetstream_request publish request subscribe")
    + _names("nats.aio.msg.Msg", "ack ack_sync in_progress nak respond term")
    # asyncssh.connect() is awaitable and an async context manager, like aiohttp's requests.
    + _names("asyncssh", "connect")
    + _names("asyncssh.SSHClientConnection", "create_process run start_sftp_client wait_closed")
)

#: Callables whose call returns an awaitable that must be awaited.
# Chat-bot frameworks: handlers receive typed objects whose methods are coroutines.
_BOT_COROUTINES = (
    # python-telegram-bot 20+
    _names(
        "telegram.Message",
        "reply_text reply_markdown reply_markdown_v2 reply_html reply_photo reply_document"
        " reply_audio reply_video reply_voice reply_sticker reply_location reply_poll"
        " reply_media_group reply_chat_action edit_text edit_caption edit_reply_markup delete"
        " forward copy pin unpin",
    )
    + _names(
        "telegram.Bot",
        "send_message send_photo send_document send_audio send_video send_voice send_sticker"
        " send_location send_poll send_chat_action edit_message_text delete_message"
        " forward_message answer_callback_query get_me get_chat get_updates set_webhook",
    )
    + _names("telegram.CallbackQuery", "answer edit_message_text edit_message_reply_markup")
    # discord.py 2
    + _names("discord.abc.Messageable", "send fetch_message trigger_typing")
    + _names("discord.Message", "reply edit delete add_reaction remove_reaction pin unpin")
    + _names("discord.InteractionResponse", "send_message defer edit_message send_modal")
    + _names("discord.ext.commands.Context", "reply")
    # aiogram 3
    + _names(
        "aiogram.types.Message",
        "answer reply edit_text delete answer_photo answer_document reply_photo",
    )
    + _names("aiogram.types.CallbackQuery", "answer")
    + _names(
        "aiogram.Bot",
        "send_message send_photo send_document edit_message_text delete_message"
        " answer_callback_query get_me",
    )
)

# The async twins of the sync clients of _BLOCKING_INFRASTRUCTURE ... _BLOCKING_PROBES.
_MORE_SDK_COROUTINES = (
    [f"kubernetes_asyncio.client.{api}.{op}" for api, ops in _K8S_ASYNC_OPS.items() for op in ops.split()]
    + _names("kubernetes_asyncio.client.ApiClient", "close")
    + _names("kubernetes_asyncio.config", "load_kube_config")
    + _names(
        "confluent_kafka.aio.AIOProducer",
        "abort_transaction begin_transaction close commit_transaction flush init_transactions"
        " list_topics poll produce purge send_offsets_to_transaction",
    )
    + _names(
        "confluent_kafka.aio.AIOConsumer",
        "assign close commit committed consume get_watermark_offsets list_topics"
        " offsets_for_times pause poll position resume seek store_offsets subscribe unassign"
        " unsubscribe",
    )
    # Firestore's async client (stream() and list_documents() are async generators)
    + _names(f"{_FS}AsyncClient", "recursive_delete")
    + _names(f"{_FS}AsyncCollectionReference", "add get")
    + _names(f"{_FS}AsyncQuery", "get")
    + _names(f"{_FS}AsyncDocumentReference", "create delete get set update")
    + _names(f"{_FS}AsyncWriteBatch", "commit")
    # azure.storage.blob.aio (the list_* methods are async iterators)
    + _names(f"{_AZ}aio.BlobServiceClient", f"{_AZ_SERVICE_OPS} close")
    + _names(f"{_AZ}aio.ContainerClient", f"{_AZ_CONTAINER_OPS} close")
    + _names(f"{_AZ}aio.BlobClient", f"{_AZ_BLOB_OPS} close")
    + _names(f"{_AZ}aio.StorageStreamDownloader", _AZ_DOWNLOAD_OPS)
    # neo4j's async driver
    + _names(
        "neo4j.AsyncDriver",
        "close execute_query get_server_info supports_multi_db verify_authentication"
        " verify_connectivity",
    )
    + _names("neo4j.AsyncSession", "begin_transaction close execute_read execute_write run")
    + _names("neo4j.AsyncTransaction", "close commit rollback run")
    + _names("neo4j.AsyncManagedTransaction", "run")
    + _names("neo4j.AsyncResult", _NEO4J_RESULT_OPS)
    + _names("clickhouse_connect", "create_async_client get_async_client")
    + _names("clickhouse_connect.driver.asyncclient.AsyncClient", f"{_CLICKHOUSE_CONNECT_OPS} close")
    # python-oracledb: connect_async() is awaited (or used with ``async with``)
    + _names("oracledb", "connect_async")
    + _names("oracledb.AsyncConnection", f"{_ORACLE_CURSOR_OPS} close commit ping rollback")
    + _names("oracledb.AsyncCursor", _ORACLE_CURSOR_OPS)
    + _names("tweepy.asynchronous.AsyncClient", _TWEEPY_OPS)
    + _names("ccxt.async_support.Exchange", f"{_CCXT_OPS} close load_markets")
    + _names("telebot.async_telebot.AsyncTeleBot", f"{_TELEBOT_OPS} infinity_polling polling")
    + _names("discord_webhook.AsyncDiscordWebhook", "delete edit execute")
    + _names("discord.Webhook", "delete delete_message edit edit_message fetch fetch_message send")
    + _names("socketio.AsyncClient", "call connect disconnect emit send shutdown sleep wait")
    + _names("socketio.AsyncSimpleClient", "call connect disconnect emit receive")
    + _names("icmplib", "async_multiping async_ping async_resolve")
    # python-chess's asyncio API: ``transport, engine = await chess.engine.popen_uci(...)``
    + _names("chess.engine", "popen_uci popen_xboard")
    + _names("chess.engine.Protocol", f"{_CHESS_ENGINE_OPS} initialize popen")
    + [
        f"elevenlabs.{module}.Async{cls}.{op}"
        for module, cls, ops in _ELEVENLABS_RESOURCES.values()
        for op in ops.split()
        if f"{cls}.{op}" not in _ELEVENLABS_GENERATORS
    ]
    + _names("elevenlabs.client.AsyncElevenLabs", "clone generate")
    + [f"{client}AsyncClient.{op}" for client, ops in _GAPIC_CLIENTS.items() for op in ops.split()]
    # matrix-nio (room_get_event_relations and room_get_threads are async generators)
    + _names(
        "nio.AsyncClient",
        "close content_repository_config delete_devices devices download get_avatar"
        " get_displayname get_presence get_profile join joined_members joined_rooms keys_claim"
        " keys_query keys_upload list_public_rooms login login_info logout register room_ban"
        " room_context room_create room_forget room_get_event room_get_state"
        " room_get_state_event room_invite room_kick room_leave room_messages room_put_state"
        " room_read_markers room_redact room_resolve_alias room_send room_typing room_unban"
        " send_to_device_messages set_avatar set_displayname set_presence share_group_session"
        " sync sync_forever thumbnail to_device update_receipt_marker upload whoami",
    )
)

#: Attributes read on a project class (not an instance) whose type the tables know: a
#: Django model's manager, ``Article.objects``.
CLASS_ATTRIBUTES: frozenset[str] = frozenset({"django.db.models.Model.objects"})

COROUTINE_FUNCTIONS: frozenset[str] = frozenset(
    _names(_DJ, " ".join(f"a{m}" for m in _DJANGO_QUERIES.split() if m != "iterator"))
    + _BOT_COROUTINES
    + _ASYNCIO_COROUTINES
    + _HTTP_COROUTINES
    + _DATABASE_COROUTINES
    + _FILE_COROUTINES
    + _ANYIO_TRIO_COROUTINES
    + _OTHER_COROUTINES
    + _SERVICE_COROUTINES
    + _MORE_SDK_COROUTINES
)

# --------------------------------------------------------------------------
# RESOURCES
# --------------------------------------------------------------------------


def _client(label: str, closers: tuple[str, ...] = ("close",)) -> Resource:
    """A long-lived client, created without ``await``, that belongs outside loops."""
    return Resource("client", awaited=False, closers=closers, label=label, shareable=True)


def _connection(label: str, closers: tuple[str, ...] = ("close",)) -> Resource:
    """A connection opened with ``await``."""
    return Resource("connection", awaited=True, closers=closers, label=label, shareable=False)


def _pool(label: str, closers: tuple[str, ...]) -> Resource:
    """A connection pool opened with ``await``."""
    return Resource("pool", awaited=True, closers=closers, label=label, shareable=True)


def _stream(label: str) -> Resource:
    """``(reader, writer)`` from an asyncio stream factory: the writer is closed."""
    return Resource(
        "stream", awaited=True, closers=("close",), label=label, shareable=False, result_index=1
    )


#: Constructors and factories of things that must be closed.
RESOURCES: dict[str, Resource] = {
    "aiohttp.ClientSession": _client("aiohttp ClientSession"),
    # A connector handed to a ClientSession is closed with it (connector_owner=True).
    "aiohttp.TCPConnector": _client("aiohttp TCPConnector"),
    "httpx.AsyncClient": _client("httpx AsyncClient", ("aclose",)),
    "httpx.Client": _client("httpx Client"),
    "requests.Session": _client("requests Session"),
    "requests.session": _client("requests Session"),
    "redis.asyncio.Redis": _client("redis.asyncio Redis client", ("aclose", "close")),
    "redis.asyncio.from_url": _client("redis.asyncio Redis client", ("aclose", "close")),
    "redis.asyncio.Redis.from_url": _client("redis.asyncio Redis client", ("aclose", "close")),
    "motor.motor_asyncio.AsyncIOMotorClient": _client("motor AsyncIOMotorClient"),
    "pymongo.AsyncMongoClient": _client("pymongo AsyncMongoClient"),
    "asyncpg.connect": _connection("asyncpg connection", ("close", "terminate")),
    "asyncpg.create_pool": _pool("asyncpg pool", ("close", "terminate")),
    # A connection taken from a pool by hand goes back with ``await pool.release(conn)``
    # (the connection handed to the pool's method: ownership passes on).
    "asyncpg.Pool.acquire": _connection("asyncpg pool connection", ("close", "terminate")),
    "aiomysql.Pool.acquire": _connection("aiomysql pool connection", ("close", "ensure_closed")),
    "aiosqlite.connect": _connection("aiosqlite connection"),
    "aiomysql.connect": _connection("aiomysql connection", ("close", "ensure_closed")),
    "aiomysql.create_pool": _pool("aiomysql pool", ("close", "terminate")),
    "psycopg.AsyncConnection.connect": _connection("psycopg AsyncConnection"),
    "websockets.connect": _connection("websockets connection"),
    "aio_pika.connect": _connection("aio-pika connection"),
    "aio_pika.connect_robust": _connection("aio-pika robust connection"),
    "nats.connect": _connection("NATS connection", ("close", "drain")),
    # Started with ``await producer.start()``, stopped with ``await producer.stop()``.
    "aiokafka.AIOKafkaProducer": _client("aiokafka producer", ("stop",)),
    "aiokafka.AIOKafkaConsumer": _client("aiokafka consumer", ("stop",)),
    # One SMTP session sends many messages: a connection (and TLS, and log-in) per
    # message is what mail servers rate-limit.
    "aiosmtplib.SMTP": _client("aiosmtplib SMTP connection", ("quit", "close")),
    "aiofiles.open": Resource(
        "file", awaited=True, closers=("close",), label="aiofiles file", shareable=False
    ),
    "asyncio.open_connection": _stream("asyncio stream"),
    "asyncio.open_unix_connection": _stream("asyncio unix stream"),
}

# --------------------------------------------------------------------------
# Offloading, limiting, structured concurrency, sleeping
# --------------------------------------------------------------------------

#: Functions and methods that run a sync callable in a worker thread or process.
OFFLOADERS: frozenset[str] = frozenset(
    [
        "asyncio.to_thread",
        "asyncio.AbstractEventLoop.run_in_executor",
        "tornado.concurrent.run_on_executor",
        "anyio.to_thread.run_sync",
        "anyio.to_process.run_sync",
        "trio.to_thread.run_sync",
        "starlette.concurrency.run_in_threadpool",
        "fastapi.concurrency.run_in_threadpool",
        "asgiref.sync.sync_to_async",
        "channels.db.database_sync_to_async",
        "asyncer.asyncify",
        "aiofiles.os.wrap",
        "concurrent.futures.Executor.submit",
        "concurrent.futures.Executor.map",
        "threading.Thread",
        "threading.Timer",
        "multiprocessing.Process",
        *_names(
            "multiprocessing.pool.Pool",
            "apply apply_async imap imap_unordered map map_async starmap starmap_async",
        ),
    ]
)

#: Decorators that turn a sync function into an awaitable run in a thread.
OFFLOADING_DECORATORS: frozenset[str] = frozenset(
    [
        "asgiref.sync.sync_to_async",
        "channels.db.database_sync_to_async",
        "asyncer.asyncify",
        "aiofiles.os.wrap",
        "tornado.concurrent.run_on_executor",
    ]
)

#: Types and factories whose ``async with``/``acquire`` bounds concurrency.
#: The event-loop libraries' own semaphores (and anyio's and trio's capacity limiters).
SEMAPHORES: frozenset[str] = frozenset(
    [
        "asyncio.Semaphore",
        "asyncio.BoundedSemaphore",
        "anyio.Semaphore",
        "anyio.CapacityLimiter",
        "trio.Semaphore",
        "trio.CapacityLimiter",
    ]
)

LIMITERS: frozenset[str] = SEMAPHORES | frozenset(
    [
        "aiolimiter.AsyncLimiter",
        "asyncio_throttle.Throttler",
        "asyncdoctor.limits.ConcurrencyLimiter",
        "asyncdoctor.limits.RateLimiter",
        "asyncdoctor.limits.AdaptiveLimiter",
        # A pool's size bounds the queries run through it.
        "asyncpg.Pool",
        "aiomysql.Pool",
    ]
)

#: Structured task groups (their tasks are owned and awaited by the group).
#: ``aiojobs.Scheduler`` keeps its jobs alive but does not wait for them on
#: exit, so it is not one.
TASK_GROUPS: frozenset[str] = frozenset(
    [
        "asyncio.TaskGroup",
        "anyio.create_task_group",
        "anyio.abc.TaskGroup",
        "trio.open_nursery",
        "trio.Nursery",
    ]
)

#: Async sleeps, for spotting polling loops.
SLEEP_FUNCTIONS: frozenset[str] = frozenset(["asyncio.sleep", "anyio.sleep", "trio.sleep"])
