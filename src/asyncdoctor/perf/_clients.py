"""HTTP client drivers for load generation, and the event loops to run them on.

A driver opens one client (one connection pool) sized for a concurrency level
and hands out ``request()``, a coroutine function that sends one request,
reads the whole response, and raises :class:`RequestFailed` on a status of
400 or more (a transport error propagates as the client raised it)::

    async with open_client("aiohttp", url, concurrency=50) as request:
        await request()

The drivers are ``aiohttp`` (``TCPConnector(limit=concurrency)``), ``httpx``
(``Limits(max_connections=concurrency, max_keepalive_connections=concurrency)``)
and ``raw``: an ``asyncio.Protocol`` keep-alive HTTP/1.1 client with one
connection per concurrency slot and no pipelining, which parses only what it
must (status line, ``Content-Length``, chunked bodies).  ``raw`` needs nothing
beyond the standard library and shows the ceiling: what the event loop and the
sockets allow once an HTTP library's own work is taken away.

Loops: ``asyncio`` (the standard library's default) and ``uvloop``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, cast

from ._missing import MissingDependency, ensure_installed, is_installed

__all__ = [
    "CLIENTS",
    "LOOPS",
    "ClientSettings",
    "RequestFailed",
    "RequestFunction",
    "available_clients",
    "available_loops",
    "default_client",
    "loop_factory",
    "open_client",
]

RequestFunction = Callable[[], Awaitable[None]]
"""``async def request() -> None``: one request, its whole response read."""


class RequestFailed(Exception):
    """The server answered with a status of 400 or more."""

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(f"HTTP status {status}")


@dataclass(frozen=True)
class ClientSettings:
    """What every driver needs: where, how many at once, and what to send."""

    url: str
    concurrency: int = 1
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class _Driver:
    requires: str | None  # the package it needs, None: the standard library is enough
    open: Callable[[ClientSettings], contextlib.AbstractAsyncContextManager[RequestFunction]]


@dataclass(frozen=True)
class _Loop:
    requires: str | None


# --- aiohttp ----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _open_aiohttp(settings: ClientSettings) -> AsyncIterator[RequestFunction]:
    ensure_installed("aiohttp")
    import aiohttp

    connector = aiohttp.TCPConnector(limit=settings.concurrency)
    timeout = aiohttp.ClientTimeout(total=settings.timeout)
    headers = dict(settings.headers)
    url, method, body = settings.url, settings.method, settings.body
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def request() -> None:
            async with session.request(method, url, headers=headers, data=body) as response:
                await response.read()
                if response.status >= 400:
                    raise RequestFailed(response.status)

        yield request


# --- httpx ------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _open_httpx(settings: ClientSettings) -> AsyncIterator[RequestFunction]:
    ensure_installed("httpx")
    import httpx

    limits = httpx.Limits(
        max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
    )
    headers = dict(settings.headers)
    url, method, body = settings.url, settings.method, settings.body
    async with httpx.AsyncClient(limits=limits, timeout=settings.timeout) as client:

        async def request() -> None:
            response = await client.request(method, url, headers=headers, content=body)
            if response.status_code >= 400:
                raise RequestFailed(response.status_code)

        yield request


# --- raw: an asyncio.Protocol HTTP/1.1 client ---------------------------------------------------


class _RawConnection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, the response parsed as it arrives."""

    def __init__(self, head_only: bool) -> None:
        self._head_only = head_only
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[int] | None = None
        self._status = 0
        self._remaining = -1  # body bytes still expected; -1: reading the head
        self._chunked = False
        self._in_trailers = False
        self._until_close = False
        self._keep_alive = True
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            if self._until_close and exc is None:
                waiter.set_result(self._status)  # a body delimited by the end of the connection
            else:
                waiter.set_exception(
                    ConnectionError("the server closed the connection before answering")
                )

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()

    async def send(self, payload: bytes) -> int:
        """Send one request and return the response's status once the body has been read."""
        assert self._transport is not None and self._waiter is None
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        self._remaining = -1
        self._transport.write(payload)
        try:
            return await waiter
        finally:
            self._waiter = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            self._parse()
        except ValueError as exc:
            self._fail(ConnectionError(f"malformed response: {exc}"))

    def _parse(self) -> None:
        buffer = self._buffer
        if self._remaining < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self._read_head(bytes(buffer[:end]))
            del buffer[: end + 4]
        if self._until_close:
            buffer.clear()
            return
        if self._chunked:
            if not self._read_chunks():
                return
            self._chunked = self._in_trailers = False
        elif len(buffer) < self._remaining:
            return
        else:
            del buffer[: self._remaining]
        self._remaining = -1
        if not self._keep_alive:
            self.close()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(self._status)

    def _read_head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ValueError(repr(lines[0][:80]))
        self._status = int(parts[1])
        self._keep_alive = parts[0] == b"HTTP/1.1"
        self._chunked = self._until_close = self._in_trailers = False
        length: int | None = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                self._chunked = True
            elif name == b"connection":
                token = value.strip().lower()
                self._keep_alive = b"close" not in token and (
                    self._keep_alive or b"keep-alive" in token
                )
        if self._head_only or self._status in (204, 304) or 100 <= self._status < 200:
            self._remaining, self._chunked = 0, False
        elif self._chunked:
            self._remaining = 0
        elif length is not None:
            self._remaining = length
        else:
            self._until_close, self._keep_alive, self._remaining = True, False, 0

    def _read_chunks(self) -> bool:
        """Consume whole chunks from the buffer; True once the last one (and trailers) is read."""
        buffer = self._buffer
        while True:
            if self._in_trailers:
                if buffer[:2] == b"\r\n":
                    del buffer[:2]
                    return True
                trailers_end = buffer.find(b"\r\n\r\n")
                if trailers_end < 0:
                    return False
                del buffer[: trailers_end + 4]
                return True
            if self._remaining > 0:  # inside a chunk's data (plus its CRLF)
                if len(buffer) < self._remaining:
                    return False
                del buffer[: self._remaining]
                self._remaining = 0
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                return False
            size = int(bytes(buffer[:line_end]).split(b";", 1)[0].strip() or b"?", 16)
            del buffer[: line_end + 2]
            if size == 0:
                self._in_trailers = True
            else:
                self._remaining = size + 2

    def _fail(self, exc: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self.close()


def _raw_request_bytes(settings: ClientSettings, parsed: urllib.parse.SplitResult) -> bytes:
    target = parsed.path or "/"
    if parsed.query:
        target = f"{target}?{parsed.query}"
    names = {name.lower() for name, _ in settings.headers}
    lines = [f"{settings.method} {target} HTTP/1.1"]
    if "host" not in names:
        lines.append(f"Host: {parsed.netloc.rpartition('@')[2]}")
    if "user-agent" not in names:
        lines.append("User-Agent: asyncdoctor-bench")
    lines.extend(f"{name}: {value}" for name, value in settings.headers)
    body = settings.body or b""
    if body or settings.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def http_endpoint(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an http(s) URL; :class:`ValueError` with a one-line
    message for anything else (another scheme, no host, a bad port, bad brackets)."""
    try:
        parsed = urllib.parse.urlsplit(url)
    except ValueError as exc:  # e.g. "http://[::1": Invalid IPv6 URL
        raise ValueError(f"'{url}' is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"'{url}' is not an http:// or https:// URL")
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError:
        raise ValueError(f"'{url}' has an invalid port") from None
    return parsed.scheme, parsed.hostname, port


@contextlib.asynccontextmanager
async def _open_raw(settings: ClientSettings) -> AsyncIterator[RequestFunction]:
    scheme, host, port = http_endpoint(settings.url)
    parsed = urllib.parse.urlsplit(settings.url)
    tls = await asyncio.to_thread(ssl.create_default_context) if scheme == "https" else None
    payload = _raw_request_bytes(settings, parsed)
    head_only = settings.method == "HEAD"
    loop = asyncio.get_running_loop()
    # one slot per concurrency level: None until its connection is opened (or after it broke)
    slots: asyncio.LifoQueue[_RawConnection | None] = asyncio.LifoQueue()
    for _ in range(settings.concurrency):
        slots.put_nowait(None)
    opened: list[_RawConnection] = []

    async def connect() -> _RawConnection:
        async with asyncio.timeout(settings.timeout):
            _, protocol = await loop.create_connection(
                lambda: _RawConnection(head_only),
                host,
                port,
                ssl=tls,
                server_hostname=host if tls else None,
            )
        opened.append(protocol)
        return protocol

    async def request() -> None:
        connection = await slots.get()
        try:
            if connection is None or connection.closed:
                connection = await connect()
            status = await connection.send(payload)
        except BaseException:
            if connection is not None:
                connection.close()
            slots.put_nowait(None)
            raise
        slots.put_nowait(None if connection.closed else connection)
        if status >= 400:
            raise RequestFailed(status)

    try:
        yield request
    finally:
        for connection in opened:
            connection.close()
        await asyncio.sleep(0)  # let the transports finish closing


# --- the registries ---------------------------------------------------------------------------

_DRIVERS: Final[Mapping[str, _Driver]] = {
    "aiohttp": _Driver(requires="aiohttp", open=_open_aiohttp),
    "httpx": _Driver(requires="httpx", open=_open_httpx),
    "raw": _Driver(requires=None, open=_open_raw),
}
_LOOPS: Final[Mapping[str, _Loop]] = {
    "asyncio": _Loop(requires=None),
    "uvloop": _Loop(requires="uvloop"),
}

CLIENTS: Final[tuple[str, ...]] = tuple(_DRIVERS)
"""Every client driver's name, installed or not."""

LOOPS: Final[tuple[str, ...]] = tuple(_LOOPS)
"""Every event loop's name, installed or not."""


def _installed(requires: str | None) -> bool:
    return requires is None or is_installed(requires)


def available_clients() -> dict[str, MissingDependency | None]:
    """Each client driver's name, mapped to ``None`` if it can run, else why it cannot."""
    return {
        name: None if _installed(driver.requires) else MissingDependency(str(driver.requires))
        for name, driver in _DRIVERS.items()
    }


def available_loops() -> dict[str, MissingDependency | None]:
    """Each event loop's name, mapped to ``None`` if it can run, else why it cannot."""
    return {
        name: None if _installed(spec.requires) else MissingDependency(str(spec.requires))
        for name, spec in _LOOPS.items()
    }


def default_client() -> str:
    """The client to use when the user names none: aiohttp, else httpx, else raw."""
    for name in ("aiohttp", "httpx"):
        if _installed(_DRIVERS[name].requires):
            return name
    return "raw"


def open_client(
    name: str,
    url: str,
    *,
    concurrency: int = 1,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] | Mapping[str, str] = (),
    body: bytes | None = None,
    timeout: float = 30.0,
) -> contextlib.AbstractAsyncContextManager[RequestFunction]:
    """Open the client driver ``name`` for ``url``, sized for ``concurrency`` requests at once.

    Entering the returned context manager gives ``async def request() -> None``.  Raises
    :class:`KeyError` for an unknown name and (on entering) :class:`MissingDependency` when the
    client's package is not installed.
    """
    if name not in _DRIVERS:
        raise KeyError(f"unknown client {name!r} (known: {', '.join(CLIENTS)})")
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency}")
    pairs = tuple(headers.items()) if isinstance(headers, Mapping) else tuple(headers)
    settings = ClientSettings(
        url=url,
        concurrency=concurrency,
        method=method.upper(),
        headers=pairs,
        body=body,
        timeout=timeout,
    )
    return _DRIVERS[name].open(settings)


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """A factory for the event loop ``name`` (for ``asyncio.Runner(loop_factory=...)``).

    Raises :class:`KeyError` for an unknown name and :class:`MissingDependency` when uvloop is
    not installed.
    """
    if name not in _LOOPS:
        raise KeyError(f"unknown loop {name!r} (known: {', '.join(LOOPS)})")
    if name == "uvloop":
        ensure_installed("uvloop")
        import uvloop

        return uvloop.new_event_loop
    return asyncio.new_event_loop
