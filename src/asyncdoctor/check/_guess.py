"""Calls into libraries the knowledge tables do not know: what they most likely do.

The tables of :mod:`._knowledge` name the blocking calls of the libraries
async applications use most, and :mod:`._installed` learns more from the
source of installed libraries.  A project still imports libraries neither
knows (a vendor's SDK, an industrial protocol client, a file format reader),
and the shapes of their calls say a lot:

* **A client of a synchronous library.**  ``self.zbx = ZabbixAPI(url)`` then
  ``self.zbx.host.get(...)`` in an ``async def``: an object built from a
  class named for what it connects to (``...Client``, ``...API``,
  ``...Connection``, ``...Service``, or named after its library:
  ``hubspot.HubSpot``, ``dropbox.Dropbox``) or by a connecting factory
  (``lib.connect(...)``, ``lib.from_url(...)``), and a method named for
  an action (``get``, ``create``, ``send``, ``upload``, ``query`` ...).  It
  counts only while nothing of that library is awaited anywhere in the
  project, since an async client's methods are awaited (a call of one left
  unawaited is another bug, which the coroutine rules judge), and while the
  project hands it no callbacks by keyword (``on_connected_cb=...``,
  ``callback=...``): a native SDK driven by events queues work for its own
  threads.
* **A model, an engine or a solver run.**  ``ort.InferenceSession(path).run(...)``,
  ``lib.load_model(...).predict(...)``, ``SomeEngine.popen(...).play(...)``: an
  object built from a class named for one (``...Model``, ``...Engine``,
  ``...Solver``...) or by a loading factory, and a method that runs it.
* **A file read or written at a path.**  ``pydicom.dcmread(path)``,
  ``laspy.read(scan_path)``, ``doc.save(out_path)``: a library function or
  method named for reading, loading or saving, given a path (a name like
  ``path`` or ``*_file``, a ``Path``, a ``/`` join, a string that names a
  file); the same call given an in-memory file reads no disk.

Everything else of an unknown library stays unknown: a call of one is never
reported on its name alone.  Libraries of async I/O (a name with ``aio`` or
``async`` in it), configuration file loaders and pure computation libraries
are left out.  A user who knows better lists the call in ``safe-functions``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from functools import cache

from . import _knowledge as kb
from ._analysis import CALLBACKS, CallSite, Usage
from ._installed import PURE_LIBRARIES, known_tops

__all__ = ["PATH_ARGUMENT", "UNKNOWN_CLIENT", "UNKNOWN_FILE", "UNKNOWN_MODEL", "awaited_libraries", "guess",
           "receiver_refs"]

#: What the per-file walk records, in place of a constant, for an argument that names a file.
PATH_ARGUMENT = kb.PATH_ARGUMENT

#: What a guessed call does (the ``what`` of its :class:`._index.Blocked`).
UNKNOWN_CLIENT = (
    "is a method of a synchronous `{lib}` client (nothing of `{lib}` is awaited in this project): "
    "it does its I/O on the calling thread"
)
UNKNOWN_FILE = "reads or writes a file at a path with `{lib}`"
UNKNOWN_MODEL = "runs a `{lib}` model, engine or solver: computation that holds the thread until it is done"

_INSTEAD = (
    "run it in a thread with `await asyncio.to_thread(...)` (or list it in `safe-functions` "
    "if it does no I/O)"
)

# Classes named for a connection to something.
_CLIENT_CLASS = re.compile(
    r"(Client|API|Api|Connection|Conn|Service|SDK|Sdk|Gateway|Connector|Driver|Rest)\d*$"
)
# Factories that hand out a connected client.
_CLIENT_FACTORY = frozenset(
    {"connect", "client", "from_url", "from_env", "from_uri", "login", "create_client", "get_client",
     "open_connection", "Client"}
)
# Classes and factories of models, engines and solvers: their work is computation.
_MODEL_CLASS = re.compile(
    r"(Model|Engine|Pipeline|Detector|Classifier|Recogni[sz]er|Transcriber|Solver|Predictor|"
    r"Estimator|Problem|Network|Segmenter|Tracker|InferenceSession|Interpreter|Synthesi[sz]er)\d*$"
)
_MODEL_FACTORY = frozenset({"load_model", "from_pretrained", "load_checkpoint", "pipeline"})
# First words of a model's methods that run it.
_MODEL_ACTIONS = frozenset(
    {
        "predict", "transcribe", "generate", "infer", "inference", "detect", "classify", "recognize",
        "recognise", "embed", "solve", "fit", "train", "forecast", "segment", "track", "analyze",
        "analyse", "evaluate", "run", "play", "translate", "synthesize", "synthesise", "caption",
        "optimize", "optimise", "search", "tts", "encode", "decode", "summarize", "summarise",
    }
)
# First words of method names that act on the remote side.
_ACTIONS = frozenset(
    {
        "get", "list", "create", "update", "delete", "put", "post", "patch", "send", "upload",
        "download", "fetch", "query", "search", "execute", "exec", "call", "invoke", "insert",
        "upsert", "publish", "submit", "sync", "import", "export", "find", "lookup", "retrieve",
        "add", "remove", "trigger", "restart", "reboot", "login", "logon", "authenticate", "auth",
        "sign", "verify", "transcribe", "translate", "detect", "analyze", "analyse", "generate",
        "complete", "predict", "classify", "recognize", "synthesize", "notify", "ping", "refresh",
        "charge", "refund", "batch", "bulk", "commit", "approve", "request", "read",
        "write", "set", "poll", "push", "pull", "store", "save", "load", "deploy", "scale",
        "start", "stop", "kill", "run", "subscribe", "unsubscribe", "ack", "acknowledge",
        "move", "copy", "rename", "enqueue", "dequeue", "open", "issue", "revoke", "grant",
        "tweet", "message", "email", "mail", "sms", "dial", "print", "scan", "wait", "exists",
        "check", "count", "head", "describe", "modify", "register", "deregister", "enable",
        "disable", "lock", "unlock", "archive", "restore", "backup", "all", "first", "one",
    }
)
# Names of functions and methods that read, load or save a file.
_FILE_FUNCTION = re.compile(
    r"^(\w*read|\w*load|open|open_\w+|\w*save|save_?\w*|\w*write|write_?\w*|dump|export_?\w*|"
    r"imread|imwrite)$"
)
# Not files: strings and bytes (``loads``, ``dumps``), streams already open.
_NOT_FILE_FUNCTION = re.compile(r"(loads|dumps|reads|writes|string|bytes|str|buffer|stream)$")
# Libraries whose load calls read a small configuration file once.
_CONFIG_LIBRARIES = frozenset(
    {
        "dotenv", "toml", "tomli", "tomllib", "json5", "hjson", "configobj", "dynaconf", "decouple",
        "environs", "pyhocon", "omegaconf", "hydra", "confuse", "everett", "jsonc", "commentjson",
        "pyjson5", "rtoml", "yaml", "ruamel",
    }
)
# Libraries whose "clients" are in-process objects, or computation.
_LOCAL_LIBRARIES = frozenset(
    {
        "markdown", "mistune", "faker", "jinja2", "mako", "pint", "inflect", "tiktoken",
        "sentencepiece", "tokenizers", "transformers", "torch", "numpy", "pandas", "polars",
        "scipy", "sklearn", "structlog", "loguru", "logging", "prometheus_client",
        "opentelemetry", "sentry_sdk", "pytest", "unittest", "mock", "hypothesis", "freezegun",
        "typer", "click", "argparse", "textual", "rich", "prompt_toolkit", "tqdm", "sqlglot",
        "sqlparse", "lark", "pyparsing", "bs4", "lxml", "html5lib", "selectolax", "parsel",
        "oauthlib", "srptools", "passlib", "bcrypt", "argon2", "itsdangerous", "jose", "jwcrypto",
        # analytics clients that queue events for a thread of their own
        "posthog", "analytics", "rudderstack", "statsd", "datadog", "amplitude", "heap",
        # register reads and writes on a local bus (I2C, SPI, GPIO pins): microseconds
        "smbus", "smbus2", "spidev", "periphery",
    }
)


@cache
def _async_name(part: str) -> bool:
    low = part.lower()
    return low.startswith(("aio", "async", "a_")) or "async" in low or "_aio" in low or low == "aio"


def _lib_top(ref: str, index_has: frozenset[str]) -> str | None:
    """The top-level module of ``ref`` when it is a library the checker knows nothing of."""
    top = ref.partition(".")[0]
    if (
        not top
        or top.startswith("?")
        or top in sys.stdlib_module_names
        or top in known_tops()
        or top in PURE_LIBRARIES
        or top in _LOCAL_LIBRARIES
        or top in index_has
        or _async_name(top)
    ):
        return None
    return top


def _norm(name: str) -> str:
    low = re.sub(r"[^a-z]", "", name.lower())
    for cut in ("python", "py"):
        if low.startswith(cut) and len(low) > len(cut) + 2:
            low = low[len(cut):]
    for cut in ("client", "sdk", "api", "py"):
        if low.endswith(cut) and len(low) > len(cut) + 2:
            low = low[: -len(cut)]
    return low


def _maker(segments: list[str], top: str) -> tuple[int, str]:
    """Where a client or a model is built in a reference, and which: ``(index, kind)``.

    ``lib.Client()`` / ``lib.connect()`` build a client, ``lib.load_model()`` /
    ``lib.SimpleEngine.popen_uci()`` a model; ``(-1, "")`` when the first call
    of the reference builds something else.
    """
    for i, seg in enumerate(segments):
        if not seg.endswith("()"):
            continue
        name = seg[:-2]
        if i == 0 or _async_name(name) or any(_async_name(s) for s in segments[1:i]):
            return -1, ""
        # ``Engine.popen_uci()``, ``Client.from_config()``: a class's factory method.
        owner = segments[i - 1] if i > 1 and name[:1].islower() and segments[i - 1][:1].isupper() else name
        if name in _CLIENT_FACTORY or (
            owner[:1].isupper() and (_CLIENT_CLASS.search(owner) or _norm(owner) == _norm(top))
        ):
            return i, "client"
        if name in _MODEL_FACTORY or (owner[:1].isupper() and _MODEL_CLASS.search(owner)):
            return i, "model"
        return -1, ""
    return -1, ""


# First words of method names that build, convert or describe without any I/O.
_LOCAL_FIRST_WORDS = frozenset(
    {
        "build", "make", "to", "with", "is", "has", "parse", "format", "on", "as", "iter", "encode",
        "decode", "serialize", "deserialize", "validate", "new", "prepare", "compute", "render",
        "sanitize", "normalize", "escape", "split", "join", "compile", "clone", "dict", "json",
    }
)


# Last words of method names that hand out a local handle or a name, not data:
# ``get_node``, ``get_container_client``, ``get_collection``, ``get_logger``, ``get_url``.
_HANDLE_LAST_WORDS = frozenset(
    {
        "node", "client", "collection", "database", "db", "table", "logger", "api", "service",
        "resource", "handle", "ref", "reference", "path", "url", "uri", "name", "names", "builder",
        "factory", "session", "cursor", "config", "settings", "option", "options", "default",
        "defaults", "schema", "type", "class", "instance", "context", "wrapper",
    }
)


def _words(name: str) -> list[str]:
    return [w.lower() for w in re.split(r"_|(?<=[a-z0-9])(?=[A-Z])", name.strip("_")) if w]


def _first_word(name: str) -> str:
    words = _words(name)
    return words[0] if words else ""


def _acts(name: str) -> bool:
    """Whether a method name says it acts on the remote side: ``get_sheet``, ``files_upload``."""
    words = _words(name)
    return (
        bool(words)
        and words[0] not in _LOCAL_FIRST_WORDS
        and (len(words) == 1 or words[-1] not in _HANDLE_LAST_WORDS)
        and any(w in _ACTIONS for w in words)
    )


def receiver_refs(calls: list[CallSite]) -> frozenset[str]:
    """References of calls whose value another call of the list is made on (``a().b()``: ``a``)."""
    out: set[str] = set()
    for site in calls:
        ref = site.ref
        start = 0
        while (cut := ref.find("().", start)) != -1:
            out.add(ref[:cut])
            start = cut + 3
    return frozenset(out)


def awaited_libraries(calls: Iterable[CallSite]) -> frozenset[str]:
    """Top-level names of the libraries something of which the project awaits, or hands
    callbacks to (``client.connect(..., on_connected_cb=self._on_connected)``: a native SDK
    driven by events, whose methods queue work for its own threads)."""
    return frozenset(
        site.ref.partition(".")[0]
        for site in calls
        if site.usage == Usage.AWAITED or site.ref.endswith(("__aenter__", "__aiter__"))
        or (CALLBACKS, True) in site.consts
    )


def _has_path(site: CallSite) -> bool:
    return any(value == PATH_ARGUMENT for _key, value in site.consts)


def _in_memory(site: CallSite) -> bool:
    return any(value == kb.IN_MEMORY_FILE for _key, value in site.consts)


def guess(site: CallSite, *, project_tops: frozenset[str], awaited_tops: frozenset[str],
          receivers: frozenset[str]) -> tuple[str, str, str] | None:
    """(what, instead, culprit) when a call of an unknown library most likely blocks."""
    if site.usage == Usage.AWAITED or "(" in site.ref.partition(".")[0]:
        return None
    for prefix, (method, what, instead) in kb.REQUEST_CHAINS.items():
        if site.ref.startswith(prefix) and site.ref.endswith("." + method):
            return what, instead, site.ref
    top = _lib_top(site.ref, project_tops)
    if top is None or top in awaited_tops or top in _CONFIG_LIBRARIES:
        return None
    if site.usage == Usage.MISUSED and site.ref in receivers:
        return None  # ``client.table("t").all()``: judged at the call made on its value
    segments = site.ref.split(".")
    name = segments[-1]
    if not name.isidentifier() or name.startswith("_"):
        return None
    culprit = site.ref
    maker, kind = _maker(segments, top)
    if 0 <= maker < len(segments) - 1:
        if kind == "client" and _acts(name):
            return UNKNOWN_CLIENT.format(lib=top), _INSTEAD, culprit
        if kind == "model" and _first_word(name) in _MODEL_ACTIONS:
            return UNKNOWN_MODEL.format(lib=top), _INSTEAD, culprit
    if (
        _has_path(site)
        and not _in_memory(site)
        and _FILE_FUNCTION.match(name)
        and not _NOT_FILE_FUNCTION.search(name)
    ):
        return UNKNOWN_FILE.format(lib=top), _INSTEAD, culprit
    return None
