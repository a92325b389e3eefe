"""The live socket: a read-only view of a running doctor, for its owner only.

A :class:`LiveServer` answers a few fixed questions about the doctor of the
process it runs in, over a Unix domain socket, from a daemon thread: the
program's loops never wait for it.  ``asyncdoctor run`` starts one in each
worker process it follows (with ``--metrics``), and its ``/metrics`` endpoint
asks them at scrape time; ``docs/live.md`` documents the protocol.

>>> server = LiveServer(doctor, "/run/me/asyncdoctor/worker-42.sock")   # doctest: +SKIP
>>> ask("/run/me/asyncdoctor/worker-42.sock", "report")["value"]        # doctest: +SKIP

The protocol is newline-delimited JSON, one request per line, one answer per
line, in order: ``{"get": "metrics"}`` is answered
``{"ok": true, "pid": 42, "get": "metrics", "value": "..."}`` and anything
else ``{"ok": false, "pid": 42, "error": "..."}``.  Every query is a reading
(:data:`QUERIES`): nothing a client sends is evaluated, nothing it asks
changes the program, no answer is pickled.

What keeps it safe and cheap, whatever connects:

* the socket is made in a folder that only its owner can enter (checked:
  ``0700``, same user) and is itself ``0600``; on Linux the peer's user id
  (``SO_PEERCRED``) must be the process's own as well, else the connection is
  closed at once;
* a request is at most :data:`MAX_REQUEST` bytes (a longer line gets an error
  and the connection is closed); a connection that sends no complete request,
  or does not read its answer, within :data:`IDLE_TIMEOUT` seconds is closed;
  at most :data:`MAX_CLIENTS` connections are served at once (the next ones
  are closed as soon as they are accepted);
* one thread, non-blocking sockets and ``selectors``: a slow or silent client
  holds nothing but its own buffers.
"""

from __future__ import annotations

import _thread
import contextlib
import json
import os
import selectors
import socket
import stat
import struct
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._doctor import Doctor

__all__ = ["IDLE_TIMEOUT", "MAX_CLIENTS", "MAX_REQUEST", "QUERIES", "LiveServer", "ask", "check_private_folder"]

#: The longest request line, newline included (bytes).
MAX_REQUEST = 4096
#: Seconds a connection may go without a complete request (or without reading its answer).
IDLE_TIMEOUT = 5.0
#: Connections served at once; more are closed when accepted.
MAX_CLIENTS = 8
#: The longest answer a client of :func:`ask` reads (bytes): a report is far smaller.
MAX_ANSWER = 64 * 1024 * 1024

_Query = Callable[["Doctor"], object]


def _metrics(doctor: Doctor) -> object:
    """The Prometheus text exposition of this process's figures, rendered with its own collector."""
    try:
        from prometheus_client import CollectorRegistry, generate_latest

        from ..export.prometheus import AsyncdoctorCollector
    except ImportError:
        raise _QueryError("metrics need prometheus-client: pip install 'asyncdoctor[prometheus]'") from None
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AsyncdoctorCollector(doctor))
    return generate_latest(registry).decode("utf-8")


def _report(doctor: Doctor) -> object:
    """The runtime report so far, as ``--report`` writes it (``RuntimeReport.to_json()``)."""
    return doctor.report().to_json()


def _snapshot(doctor: Doctor) -> object:
    """What the loops and tasks are doing now, for ``asyncdoctor top`` (docs/top.md)."""
    from ._snapshot import snapshotter_of

    return snapshotter_of(doctor).take().to_json()


def _timeline_of(doctor: Doctor) -> Any:
    timeline = doctor.timeline()
    if timeline is None:
        raise _QueryError("the timeline is off: run with --trace or --timeline "
                          "(or DoctorOptions(timeline=True))")
    return timeline


def _trace(doctor: Doctor) -> object:
    """The timeline so far as a Chrome trace (what ``--trace`` writes; docs/timeline.md)."""
    from ..export.trace import to_trace_events

    return to_trace_events(_timeline_of(doctor))


def _timeline_page(doctor: Doctor) -> object:
    """The timeline so far as one self-contained HTML page (what ``--timeline`` writes), a string."""
    from ..export.timeline import render_html

    return render_html(_timeline_of(doctor))


#: The questions a client may ask, by name: each reads the doctor and returns JSON data.
QUERIES: Mapping[str, _Query] = {
    "metrics": _metrics,
    "report": _report,
    "snapshot": _snapshot,
    "trace": _trace,
    "timeline": _timeline_page,
}


class _QueryError(Exception):
    """A query that cannot be answered here; the message goes to the client."""


def check_private_folder(folder: str) -> None:
    """Raise ``PermissionError`` unless ``folder`` is a real folder of this user that nobody else can enter."""
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise PermissionError(f"'{folder}' is not a folder")
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise PermissionError(f"'{folder}' belongs to another user")
    if info.st_mode & 0o077:
        raise PermissionError(f"'{folder}' can be entered by other users (mode {stat.S_IMODE(info.st_mode):o})")


def _peer_uid(conn: socket.socket) -> int | None:
    """The user id of the process at the other end (Linux's ``SO_PEERCRED``); ``None`` where unknown."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    raw = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", raw)
    return int(uid)


class _Client:
    __slots__ = ("closing", "conn", "deadline", "inbox", "outbox")

    def __init__(self, conn: socket.socket, deadline: float) -> None:
        self.conn = conn
        self.deadline = deadline
        self.inbox = b""
        self.outbox = b""
        self.closing = False  # close once the outbox is sent


class LiveServer:
    """Serves :data:`QUERIES` about ``doctor`` on a Unix socket at ``path``, in a daemon thread.

    ``path``'s folder must be private to this user (:func:`check_private_folder`);
    the socket is created ``0600``.  ``close()`` stops the thread and removes the
    socket; ``forget()`` (in a forked child) drops the inherited copy without
    touching the parent's socket.
    """

    def __init__(self, doctor: Doctor, path: str, *, queries: Mapping[str, _Query] | None = None) -> None:
        if not hasattr(socket, "AF_UNIX"):
            raise OSError("Unix domain sockets are not available on this system")
        check_private_folder(os.path.dirname(os.path.abspath(path)))
        self.doctor = doctor
        self.path = path
        self.pid = os.getpid()
        self.queries = dict(QUERIES if queries is None else queries)
        self._stopping = False
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(path)
            os.chmod(path, 0o600)  # the folder is private: nobody could reach it in between
            listener.listen(64)  # waiting to be accepted; MAX_CLIENTS are then served
            listener.setblocking(False)
        except BaseException:
            listener.close()
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise
        self._listener = listener
        self._wake_r, self._wake_w = os.pipe()
        self._selector = selectors.DefaultSelector()
        self._selector.register(listener, selectors.EVENT_READ, None)
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._clients: dict[int, _Client] = {}
        _thread.start_new_thread(self._main, ())

    def __repr__(self) -> str:
        return f"<LiveServer {self.path!r}{' closed' if self._stopping else ''}>"

    # -- life cycle -------------------------------------------------------------

    def close(self) -> None:
        """Stop serving and remove the socket (idempotent; any thread)."""
        if self._stopping:
            return
        self._stopping = True
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if os.getpid() == self.pid:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def forget(self) -> None:
        """In a forked child: close the inherited descriptors; the parent's socket stays."""
        self._stopping = True
        for client in self._clients.values():
            client.conn.close()
        self._clients = {}
        self._listener.close()
        self._selector.close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _main(self) -> None:
        try:
            while not self._stopping:
                self._turn()
        except Exception as exc:  # never the program's problem: say so once, stop serving
            if not self._stopping:
                self.doctor.internal_error("live socket", exc)
        finally:
            self._shut()

    def _shut(self) -> None:
        for client in list(self._clients.values()):
            self._drop(client)
        with contextlib.suppress(Exception):
            self._selector.close()
        self._listener.close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- the server thread ------------------------------------------------------------

    def _turn(self) -> None:
        now = time.monotonic()
        timeout = min((c.deadline for c in self._clients.values()), default=now + 60.0) - now
        for key, events in self._selector.select(max(0.0, timeout)):
            if key.data == "wake":
                return
            if key.data is None:
                self._accept()
                continue
            client: _Client = key.data
            if events & selectors.EVENT_READ:
                self._read(client)
            if events & selectors.EVENT_WRITE and client.conn.fileno() >= 0:
                self._write(client)
        now = time.monotonic()
        for client in [c for c in self._clients.values() if c.deadline <= now]:
            self._drop(client)

    def _accept(self) -> None:
        try:
            conn, _address = self._listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        try:
            uid = _peer_uid(conn)
            if (uid is not None and hasattr(os, "geteuid") and uid != os.geteuid()) or len(
                self._clients
            ) >= MAX_CLIENTS:
                conn.close()
                return
            conn.setblocking(False)
        except OSError:
            conn.close()
            return
        client = _Client(conn, time.monotonic() + IDLE_TIMEOUT)
        self._clients[conn.fileno()] = client
        self._selector.register(conn, selectors.EVENT_READ, client)

    def _read(self, client: _Client) -> None:
        try:
            data = client.conn.recv(MAX_REQUEST)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(client)
            return
        if not data:  # the client is done: send what is left, then close
            if client.closing and not client.outbox:
                self._drop(client)
                return
            client.closing = True
            self._flush(client)
            return
        if client.closing:
            return  # read and dropped: closing with unread data would reset the connection
        client.inbox += data
        while b"\n" in client.inbox and not client.closing:
            line, _, client.inbox = client.inbox.partition(b"\n")
            if len(line) + 1 > MAX_REQUEST:
                self._send(client, self._error(f"request longer than {MAX_REQUEST} bytes"), close=True)
                return
            self._send(client, self._answer(line))
            client.deadline = time.monotonic() + IDLE_TIMEOUT
        if len(client.inbox) >= MAX_REQUEST:
            self._send(client, self._error(f"request longer than {MAX_REQUEST} bytes"), close=True)

    def _answer(self, line: bytes) -> bytes:
        try:
            request = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._error("not a JSON object: send one JSON object per line, e.g. {\"get\": \"report\"}")
        if not isinstance(request, dict) or not isinstance(request.get("get"), str):
            return self._error("expected {\"get\": QUERY}")
        name = request["get"]
        query = self.queries.get(name)
        if query is None:
            return self._error(f"unknown query {name[:100]!r}", queries=sorted(self.queries))
        try:
            value = query(self.doctor)
        except _QueryError as exc:
            return self._error(str(exc))
        except Exception as exc:
            self.doctor.internal_error(f"live query {name}", exc)
            return self._error(f"query {name!r} failed: {type(exc).__name__}")
        return _line({"ok": True, "pid": self.pid, "get": name, "value": value})

    def _error(self, message: str, **more: object) -> bytes:
        return _line({"ok": False, "pid": self.pid, "error": message, **more})

    def _send(self, client: _Client, data: bytes, *, close: bool = False) -> None:
        client.outbox += data
        client.closing = client.closing or close
        self._flush(client)

    def _flush(self, client: _Client) -> None:
        if client.outbox:
            try:
                sent = client.conn.send(client.outbox)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._drop(client)
                return
            client.outbox = client.outbox[sent:]
        if not client.outbox and client.closing:
            # the answer is out: say so (end of file), then wait for the client's end of
            # file or its deadline, reading what it still sends
            with contextlib.suppress(OSError):
                client.conn.shutdown(socket.SHUT_WR)
            self._selector.modify(client.conn, selectors.EVENT_READ, client)
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if client.outbox else 0)
        self._selector.modify(client.conn, events, client)

    def _write(self, client: _Client) -> None:
        self._flush(client)

    def _drop(self, client: _Client) -> None:
        if self._clients.pop(client.conn.fileno(), None) is None:
            return
        with contextlib.suppress(Exception):
            self._selector.unregister(client.conn)
        client.conn.close()


def _line(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def ask(path: str, query: str, *, timeout: float = 2.0) -> dict[str, object]:
    """Ask the live socket at ``path`` one query; its answer (a dict with ``ok``).

    Raises ``OSError`` (``TimeoutError`` included) when the socket does not
    answer in ``timeout`` seconds, and ``ValueError`` for an answer that is
    not one JSON object.
    """
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(path)
        conn.sendall(json.dumps({"get": query}).encode("utf-8") + b"\n")
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no answer from {path} in {timeout} s")
            conn.settimeout(remaining)
            chunk = conn.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if chunk.endswith(b"\n") or size > MAX_ANSWER:
                break
    answer = json.loads(b"".join(chunks).decode("utf-8"))
    if not isinstance(answer, dict):
        raise ValueError(f"the answer from {path} is not a JSON object")
    return answer

