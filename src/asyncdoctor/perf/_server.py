"""A small HTTP/1.1 server on the loopback interface, in a child process.

``bench http`` needs a server that is never the bottleneck; ``tune``'s tests
need one whose capacity is known in advance.  :class:`LoopbackServer` is both:

* ``workers=None`` (the default): every request is answered as soon as it is
  parsed.  The server runs in its own process (on uvloop if asked), so the
  client being measured has its CPU to itself.
* ``workers=N, service_time=s``: at most ``N`` requests are served at once,
  each holding a worker for ``s`` seconds (``asyncio.sleep``, not CPU); the
  others queue.  The capacity is exactly ``N / s`` requests per second,
  reached at concurrency ``N``; past it, throughput stays flat and latency
  grows linearly: a known knee.

Every method on every path answers 200 with ``body_size`` bytes, except
``/status/NNN``, which answers status ``NNN``.  Keep-alive, ``Content-Length``
request bodies and pipelined requests are handled; chunked request bodies are
not (they get a 411 and the connection is closed).

The child is a fresh interpreter (``python -c ...``, like multiprocessing's
``spawn`` but without re-running the parent's ``__main__`` module and without
pickle): it gets its settings as JSON on its command line, reports its port
(or why it could not start) as one JSON line on stdout, and stops when a line
arrives on its stdin or the stdin closes (so it also stops if the parent dies).

>>> with LoopbackServer(workers=4, service_time=0.05) as server:   # doctest: +SKIP
...     print(server.url)                                         # capacity: 80 req/s
http://127.0.0.1:54321/
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import http
import json
import os
import signal
import subprocess
import sys
import threading
from types import TracebackType
from typing import Final, cast

__all__ = ["LoopbackServer", "ServerStartError"]

_START_TIMEOUT: Final = 30.0
_STOP_TIMEOUT: Final = 5.0
_MAX_HEAD: Final = 64 * 1024


class ServerStartError(RuntimeError):
    """The loopback server's child process did not start (the message says why)."""


class LoopbackServer:
    """An HTTP/1.1 keep-alive server on 127.0.0.1 in a child process.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with LoopbackServer() as server:
            ...  # send requests to server.url

    :param host: the address to bind; the loopback interface unless you say otherwise.
    :param port: the port; 0 (the default) picks a free one.
    :param body_size: how many bytes each 200 response carries.
    :param workers: ``None`` answers every request at once; ``N`` serves at most ``N``
        requests at a time, each for ``service_time`` seconds (capacity ``N / service_time``).
    :param service_time: the seconds each request holds a worker (only with ``workers``).
    :param use_uvloop: run the server's event loop on uvloop (it must be installed).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        body_size: int = 2,
        workers: int | None = None,
        service_time: float = 0.0,
        use_uvloop: bool = False,
    ) -> None:
        if body_size < 0:
            raise ValueError(f"body_size must be >= 0, got {body_size}")
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be >= 1 or None, got {workers}")
        if service_time < 0:
            raise ValueError(f"service_time must be >= 0, got {service_time}")
        self._host = host
        self._port = port
        self._body_size = body_size
        self._workers = workers
        self._service_time = float(service_time)
        self._use_uvloop = use_uvloop
        self._process: subprocess.Popen[bytes] | None = None
        self._bound_port: int | None = None

    def __repr__(self) -> str:
        state = f"url={self.url!r}" if self._bound_port is not None else "stopped"
        return (
            f"LoopbackServer({state}, body_size={self._body_size}, workers={self._workers}, "
            f"service_time={self._service_time}, use_uvloop={self._use_uvloop})"
        )

    @property
    def url(self) -> str:
        """The server's base URL, e.g. ``http://127.0.0.1:54321/`` (only while it runs)."""
        if self._bound_port is None:
            raise RuntimeError("the server is not running; call start() first")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._bound_port}/"

    @property
    def port(self) -> int:
        """The port the server listens on (only while it runs)."""
        if self._bound_port is None:
            raise RuntimeError("the server is not running; call start() first")
        return self._bound_port

    def start(self) -> None:
        """Start the child process and block until it accepts connections.

        Raises :class:`ServerStartError` if the child fails or is not ready in 30 s.
        """
        if self._process is not None:
            raise RuntimeError("the server is already running")
        settings = {
            "host": self._host,
            "port": self._port,
            "body_size": self._body_size,
            "workers": self._workers,
            "service_time": self._service_time,
            "use_uvloop": self._use_uvloop,
        }
        self._process = process = subprocess.Popen(
            [sys.executable, "-c", _CHILD_CODE, json.dumps(settings)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=child_environment(),
        )
        try:
            message = _read_line(process, _START_TIMEOUT)
            if message is None:
                raise ServerStartError(
                    f"the loopback server was not ready after {_START_TIMEOUT:g} s"
                )
            if not message:
                raise ServerStartError(
                    f"the loopback server's process exited (code {process.wait()})"
                )
            data = json.loads(message)
            if "error" in data:
                raise ServerStartError(f"the loopback server could not start: {data['error']}")
            self._bound_port = int(data["port"])
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server and wait for its process to exit.  Calling it again does nothing."""
        process: subprocess.Popen[bytes] | None = self._process
        self._process = None
        self._bound_port = None
        if process is None:
            return
        try:
            if process.stdin is not None:
                try:
                    process.stdin.write(b"stop\n")
                    process.stdin.close()
                except OSError:  # the child is already gone
                    pass
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        finally:
            if process.stdout is not None:
                process.stdout.close()

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def child_environment() -> dict[str, str]:
    """The environment for a child Python process that must import this copy of asyncdoctor."""
    import asyncdoctor

    root = os.path.dirname(os.path.dirname(os.path.abspath(asyncdoctor.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(part for part in (root, env.get("PYTHONPATH", "")) if part)
    return env


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> bytes | None:
    """The child's first line on stdout: b"" if it exited first, None after ``timeout`` s."""
    lines: list[bytes] = []
    stdout = process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else None


# --- the child process ---------------------------------------------------------------------------

_CHILD_CODE: Final = "from asyncdoctor.perf._server import _child_main; _child_main()"


def _child_main() -> None:
    """The child's entry point: serve until the parent says stop or goes away."""
    # Ctrl-C in a terminal interrupts the whole process group, this child included; its
    # parent stops it (or dies, which closes our stdin), so a KeyboardInterrupt here
    # would only print a traceback over the parent's one-line "interrupted"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settings = json.loads(sys.argv[1])
    loop_factory = None
    if settings["use_uvloop"]:
        try:
            import uvloop
        except ImportError:
            _report({"error": "uvloop is not installed"})
            return
        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(
            _serve(
                settings["host"],
                int(settings["port"]),
                int(settings["body_size"]),
                settings["workers"],
                float(settings["service_time"]),
            )
        )


def _report(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def _serve(
    host: str, port: int, body_size: int, workers: int | None, service_time: float
) -> None:
    loop = asyncio.get_running_loop()
    state = _ServerState(body_size, workers, service_time)
    try:
        server = await loop.create_server(
            lambda: _HttpServerProtocol(state), host, port, backlog=2048
        )
    except OSError as exc:
        _report({"error": f"cannot listen on {host}:{port}: {exc.strerror or exc}"})
        return
    stopping = loop.create_future()

    def watch_parent() -> None:
        # blocks until the parent writes "stop" or closes our stdin (or exits)
        with contextlib.suppress(OSError, ValueError):
            sys.stdin.buffer.readline()
        loop.call_soon_threadsafe(_set_done, stopping)

    watcher = threading.Thread(target=watch_parent, name="parent-watch", daemon=True)
    async with server:
        _report({"port": server.sockets[0].getsockname()[1]})
        watcher.start()
        await stopping
        server.close()
        state.close_all()


def _set_done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _ServerState:
    """What every connection shares: canned responses, the worker pool, open connections."""

    def __init__(self, body_size: int, workers: int | None, service_time: float) -> None:
        self.body = b"x" * body_size
        self.service_time = service_time
        self.workers = asyncio.Semaphore(workers) if workers is not None else None
        self.connections: set[_HttpServerProtocol] = set()
        self._responses: dict[tuple[int, bool, bool], bytes] = {}

    def response(self, status: int, *, keep_alive: bool, head: bool) -> bytes:
        key = (status, keep_alive, head)
        cached = self._responses.get(key)
        if cached is None:
            cached = self._responses[key] = _build_response(status, self.body, keep_alive, head)
        return cached

    def close_all(self) -> None:
        for connection in list(self.connections):
            connection.close()


def _build_response(status: int, body: bytes, keep_alive: bool, head: bool) -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    if status == 200:
        payload = body
    elif status in (204, 304):
        payload = b""
    else:
        payload = reason.encode()
    lines = [f"HTTP/1.1 {status} {reason}"]
    if status not in (204, 304):
        lines.append(f"Content-Length: {len(payload)}")
        lines.append("Content-Type: text/plain")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head_bytes if head or status in (204, 304) else head_bytes + payload


class _Request:
    __slots__ = ("head", "keep_alive", "status")

    def __init__(self, status: int, keep_alive: bool, head: bool) -> None:
        self.status = status
        self.keep_alive = keep_alive
        self.head = head


class _HttpServerProtocol(asyncio.Protocol):
    """One connection: parses requests as bytes arrive and answers them in order."""

    def __init__(self, state: _ServerState) -> None:
        self._state = state
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._pending: collections.deque[_Request] = collections.deque()
        self._worker: asyncio.Task[None] | None = None
        self._closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self._state.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._state.connections.discard(self)
        self._transport = None
        self._pending.clear()
        if self._worker is not None:
            self._worker.cancel()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        self._buffer += data
        while True:
            request = self._parse_one()
            if request is None:
                break
            self._handle(request)
            if not request.keep_alive:
                self._closing = True
                self._buffer.clear()
                break

    def _parse_one(self) -> _Request | None:
        """Take one whole request off the buffer, or None if it is not all here yet."""
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > _MAX_HEAD:
                self._reject(431)
            return None
        lines = bytes(buffer[:end]).split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            self._reject(400)
            return None
        method, target, version = parts
        length = 0
        keep_alive = version == b"HTTP/1.1"
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                self._reject(400)
                return None
            name = name.strip().lower()
            if name == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    self._reject(400)
                    return None
                if length < 0:
                    self._reject(400)
                    return None
            elif name == b"transfer-encoding":
                self._reject(411)
                return None
            elif name == b"connection":
                tokens = value.strip().lower()
                if b"close" in tokens:
                    keep_alive = False
                elif b"keep-alive" in tokens:
                    keep_alive = True
        total = end + 4 + length
        if len(buffer) < total:
            return None
        del buffer[:total]
        return _Request(_status_for(target), keep_alive, method == b"HEAD")

    def _reject(self, status: int) -> None:
        self._pending.clear()
        self._closing = True
        self._buffer.clear()
        if self._transport is not None:
            self._transport.write(_build_response(status, b"", False, False))
            self._transport.close()

    def _handle(self, request: _Request) -> None:
        if self._state.workers is None and not self._pending:
            self._answer(request)
            return
        self._pending.append(request)
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._serve_pending())

    async def _serve_pending(self) -> None:
        """Serve the queued requests of this connection one by one (responses stay in order)."""
        state = self._state
        try:
            while self._pending:
                request = self._pending[0]
                if state.workers is not None:
                    async with state.workers:
                        await asyncio.sleep(state.service_time)
                if self._pending and self._pending[0] is request:
                    self._pending.popleft()
                    self._answer(request)
        finally:
            self._worker = None

    def _answer(self, request: _Request) -> None:
        transport = self._transport
        if transport is None:
            return
        transport.write(
            self._state.response(request.status, keep_alive=request.keep_alive, head=request.head)
        )
        if not request.keep_alive:
            transport.close()


def _status_for(target: bytes) -> int:
    """200, or ``NNN`` for a path ``/status/NNN`` (a query string is ignored)."""
    path = target.split(b"?", 1)[0]
    if path.startswith(b"http://"):  # absolute-form target
        path = b"/" + path[7:].partition(b"/")[2]
    if path.startswith(b"/status/"):
        code = path[8:].rstrip(b"/")
        if code.isdigit() and len(code) == 3 and 200 <= int(code) <= 599:
            return int(code)
    return 200
