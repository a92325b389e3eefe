"""What ``asyncdoctor tune`` measures: an HTTP endpoint, a SQL query, or a user coroutine.

Each target is a small frozen dataclass with a :meth:`session` (an
:data:`~._tune.OpFactory`: ``session(level)`` opens what ``level``
concurrent callers need, such as an HTTP client or an asyncpg pool of
``level`` connections, and yields the op) and a :meth:`preflight` that
opens a session of one and runs the op once, so that a bad URL, DSN, query
or callable is reported in one line before any sweep starts.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from ._missing import MissingDependency, ensure_installed
from ._tune import Op, TuneError, describe_error

__all__ = [
    "CallTarget",
    "HttpTarget",
    "SqlTarget",
    "Target",
    "load_callable",
    "parse_sql_args",
]

_PREFLIGHT_TIMEOUT = 30.0


class Target(Protocol):
    """A thing to tune: a description and an op factory."""

    @property
    def description(self) -> str: ...

    def session(self, level: int) -> AbstractAsyncContextManager[Op]: ...

    async def preflight(self) -> None: ...


async def _preflight(target: Target, what: str) -> None:
    """Open a session of one and run the op once; raise :class:`TuneError` on failure."""
    import asyncio

    try:
        async with asyncio.timeout(_PREFLIGHT_TIMEOUT):
            async with target.session(1) as op:
                await op()
    except TuneError:
        raise
    except MissingDependency as exc:
        raise TuneError(str(exc)) from None
    except TimeoutError:
        raise TuneError(f"{what} did not answer within {_PREFLIGHT_TIMEOUT:g} s") from None
    except Exception as exc:
        raise TuneError(f"{what} failed before the sweep: {describe_error(exc)}") from None
    except SystemExit as exc:  # the code under test called sys.exit(): not ours to obey
        raise TuneError(f"{what} called sys.exit({exc.code!r}) before the sweep") from None


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpTarget:
    """``tune http URL``: one request per op through one of the ``perf`` client drivers."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    client: str | None = None  # "aiohttp", "httpx", "raw"; None: aiohttp if installed

    @property
    def description(self) -> str:
        return f"{self.method} {self.url} ({self.client_name()})"

    def client_name(self) -> str:
        if self.client is not None:
            return self.client
        from ._clients import default_client

        return default_client()

    def session(self, level: int) -> AbstractAsyncContextManager[Op]:
        from ._clients import open_client

        return open_client(
            self.client_name(),
            self.url,
            concurrency=level,
            method=self.method,
            headers=self.headers,
            body=self.body,
        )

    async def preflight(self) -> None:
        await _preflight(self, f"{self.method} {self.url}")


# --- SQL ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SqlTarget:
    """``tune sql``: one query per op on an asyncpg pool of ``level`` connections."""

    dsn: str
    query: str
    args: tuple[object, ...] = ()
    connect_timeout: float = 10.0

    @property
    def description(self) -> str:
        query = " ".join(self.query.split())
        if len(query) > 60:
            query = query[:57] + "..."
        return f"{query!r} on {redact_dsn(self.dsn)}"

    @asynccontextmanager
    async def _pool(self, level: int) -> AsyncIterator[Op]:
        asyncpg = _asyncpg()
        pool = await asyncpg.create_pool(
            self.dsn, min_size=level, max_size=level, timeout=self.connect_timeout
        )
        try:
            query, args = self.query, self.args
            fetch = pool.fetch

            async def op() -> None:
                await fetch(query, *args)

            yield op
        finally:
            await pool.close()

    def session(self, level: int) -> AbstractAsyncContextManager[Op]:
        return self._pool(level)

    async def preflight(self) -> None:
        try:
            asyncpg = _asyncpg()
        except MissingDependency as exc:
            raise TuneError(str(exc)) from None
        where = redact_dsn(self.dsn)
        try:
            connection = await asyncpg.connect(self.dsn, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise TuneError(f"cannot connect to PostgreSQL at {where}: {_oneline(exc)}") from None
        except Exception as exc:  # a bad DSN, authentication, an unknown database, ...
            raise TuneError(f"cannot connect to PostgreSQL at {where}: {_oneline(exc)}") from None
        try:
            await connection.fetch(self.query, *self.args)
        except Exception as exc:
            raise TuneError(f"the query failed on {where}: {_oneline(exc)}") from None
        finally:
            await connection.close()


def _asyncpg() -> Any:
    """asyncpg (untyped), or :class:`MissingDependency`."""
    ensure_installed("asyncpg")
    return importlib.import_module("asyncpg")


def redact_dsn(dsn: str) -> str:
    """The DSN without its password."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", dsn)


def parse_sql_args(text: str | None) -> tuple[object, ...]:
    """``--args '[1, "x"]'``: a JSON list of query parameters."""
    if text is None:
        return ()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TuneError(f"--args is not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(value, list):
        raise TuneError("--args must be a JSON list, e.g. '[42, \"name\"]'")
    return tuple(value)


# --- a user coroutine ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallTarget:
    """``tune call module:function``: the user's own coroutine.

    ``function`` is either the op itself (``async def op() -> None``, called
    with no arguments) or a factory called once per level, with the level
    when it takes one positional argument, returning the op or an async
    context manager that yields it (for a client or pool that must be
    opened and closed).
    """

    spec: str
    function: Callable[..., Any] = field(repr=False)

    @property
    def description(self) -> str:
        return self.spec

    @asynccontextmanager
    async def _open(self, level: int) -> AsyncIterator[Op]:
        function = self.function
        if inspect.iscoroutinefunction(function):
            yield cast(Op, function)
            return
        made = function(level) if _takes_one_argument(function) else function()
        if inspect.isawaitable(made):  # an async factory: `async def make(): return op`
            made = await made
        if hasattr(made, "__aenter__") and hasattr(made, "__aexit__"):
            async with made as op:
                yield _check_op(op, self.spec)
            return
        yield _check_op(made, self.spec)

    def session(self, level: int) -> AbstractAsyncContextManager[Op]:
        return self._open(level)

    async def preflight(self) -> None:
        await _preflight(self, self.spec)


def _check_op(op: object, spec: str) -> Op:
    if not callable(op):
        raise TuneError(
            f"'{spec}' returned {type(op).__name__}, not an async callable "
            "(or an async context manager yielding one)"
        )
    return cast(Op, op)


def _takes_one_argument(function: Callable[..., Any]) -> bool:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(positional) == 1


def load_callable(spec: str, *, path: Sequence[str | Path] = (".",)) -> CallTarget:
    """Import ``module:function`` (``function`` may be dotted: ``module:Class.method``).

    ``path`` entries are put at the front of ``sys.path`` first.  Every
    failure is a one-line :class:`TuneError`.
    """
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise TuneError(f"'{spec}' is not of the form module:function")
    for entry in reversed([str(Path(p).resolve()) for p in path]):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            raise TuneError(
                f"cannot import '{module_name}': no module named '{exc.name}'"
            ) from None
        raise TuneError(f"cannot import '{module_name}': {describe_error(exc)}") from None
    except SyntaxError as exc:
        raise TuneError(
            f"cannot import '{module_name}': syntax error in {exc.filename}:{exc.lineno}"
        ) from None
    except Exception as exc:
        raise TuneError(f"cannot import '{module_name}': {describe_error(exc)}") from None
    value: Any = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise TuneError(f"'{module_name}' has no attribute '{attribute}'") from None
    if not callable(value):
        kind = type(value).__name__
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        raise TuneError(f"'{spec}' is {article} {kind}, not a callable")
    return CallTarget(spec=spec, function=value)


def _oneline(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]
