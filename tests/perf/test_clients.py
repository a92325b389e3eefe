"""The client drivers against the loopback server (on asyncio and uvloop), and the registry."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest

from asyncdoctor.perf import LoopbackServer, MissingDependency
from asyncdoctor.perf._clients import (
    CLIENTS,
    LOOPS,
    RequestFailed,
    available_clients,
    available_loops,
    default_client,
    loop_factory,
    open_client,
)
from asyncdoctor.perf._missing import PRETEND_MISSING_ENV, ensure_installed, is_installed

T = TypeVar("T")


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def _run(loop: str, main: Callable[[], Awaitable[T]]) -> T:
    if loop == "uvloop":
        pytest.importorskip("uvloop")

    async def wrapper() -> T:
        return await main()

    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        return runner.run(wrapper())


COMBINATIONS = [(client, loop) for client in CLIENTS for loop in LOOPS]


@pytest.mark.parametrize(("client", "loop"), COMBINATIONS)
def test_every_client_serves_concurrent_requests(
    server: LoopbackServer, client: str, loop: str
) -> None:
    pytest.importorskip(client if client != "raw" else "asyncio")

    async def main() -> int:
        async with open_client(client, server.url, concurrency=4) as request:
            done = 0
            for _ in range(3):
                async with asyncio.TaskGroup() as group:
                    for _ in range(8):  # more callers than connections: they queue, none fail
                        group.create_task(request())
                done += 8
            return done

    assert _run(loop, main) == 24


@pytest.mark.parametrize("client", CLIENTS)
def test_every_client_against_a_server_on_uvloop(client: str) -> None:
    pytest.importorskip("uvloop")
    pytest.importorskip(client if client != "raw" else "asyncio")

    async def main(url: str) -> None:
        async with open_client(client, url, concurrency=2) as request:
            async with asyncio.TaskGroup() as group:
                for _ in range(10):
                    group.create_task(request())
            with pytest.raises(RequestFailed):
                await open_and_fail(f"{url}status/500")

    async def open_and_fail(url: str) -> None:
        async with open_client(client, url) as request:
            await request()

    with LoopbackServer(use_uvloop=True) as server:
        _run("uvloop", lambda: main(server.url))


@pytest.mark.parametrize(("client", "loop"), COMBINATIONS)
def test_every_client_raises_on_an_error_status(
    server: LoopbackServer, client: str, loop: str
) -> None:
    pytest.importorskip(client if client != "raw" else "asyncio")

    async def main() -> list[int]:
        statuses = []
        for code in (404, 500, 503):
            async with open_client(client, f"{server.url}status/{code}", concurrency=1) as request:
                try:
                    await request()
                except RequestFailed as exc:
                    statuses.append(exc.status)
                # the connection stays usable after an error status
                with pytest.raises(RequestFailed):
                    await request()
        return statuses

    assert _run(loop, main) == [404, 500, 503]


@pytest.mark.parametrize("client", CLIENTS)
def test_every_client_sends_method_headers_and_body(server: LoopbackServer, client: str) -> None:
    pytest.importorskip(client if client != "raw" else "asyncio")

    async def main() -> None:
        async with open_client(
            client,
            f"{server.url}status/201",
            method="post",
            headers={"X-Test": "1"},
            body=b"a body that the server must skip",
        ) as request:
            for _ in range(3):  # a body left unread would corrupt the next response
                await request()

    _run("asyncio", main)


@pytest.mark.parametrize("client", CLIENTS)
def test_every_client_raises_on_a_refused_connection(client: str) -> None:
    pytest.importorskip(client if client != "raw" else "asyncio")
    with LoopbackServer() as gone:
        url = gone.url  # a port nobody listens on any more

    async def main() -> None:
        async with open_client(client, url, concurrency=1, timeout=5) as request:
            await request()

    with pytest.raises(Exception) as caught:  # each client raises its own
        _run("asyncio", main)
    assert not isinstance(caught.value, RequestFailed)


# --- the raw client's parser, against a server that sends crafted responses ----------------------


async def _crafted_server(responses: list[bytes], connections: list[int]) -> asyncio.Server:
    """A server answering each request on a connection with the next of ``responses``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while responses:
                await reader.readuntil(b"\r\n\r\n")
                answer = responses.pop(0)
                for piece in (answer[:7], answer[7:]):  # split, to exercise partial parsing
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0.001)
                if b"Connection: close" in answer or answer.startswith(b"HTTP/1.0"):
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()
            await writer.wait_closed()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_raw_client_parses_chunked_close_delimited_and_keep_alive_responses() -> None:
    responses = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\n\r\n",
        b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
        b"HTTP/1.0 200 OK\r\n\r\nuntil the connection closes",
        b"HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n",
    ]
    connections: list[int] = []

    async def main() -> None:
        server = await _crafted_server(responses, connections)
        port = server.sockets[0].getsockname()[1]
        async with server, open_client("raw", f"http://127.0.0.1:{port}/x?y=1") as request:
            for _ in range(6):
                await request()
            with pytest.raises(RequestFailed) as caught:
                await request()
            assert caught.value.status == 418

    _run("asyncio", main)
    # one connection for the four keep-alive answers and `Connection: close`, then one for the
    # close-delimited body, then one more for the teapot
    assert len(connections) == 3


def test_raw_client_reports_a_malformed_response() -> None:
    connections: list[int] = []

    async def main() -> None:
        server = await _crafted_server([b"SPDY/9 what\r\nContent-Length: 0\r\n\r\n"], connections)
        port = server.sockets[0].getsockname()[1]
        async with server, open_client("raw", f"http://127.0.0.1:{port}/") as request:
            with pytest.raises(ConnectionError, match="malformed response"):
                await request()

    _run("asyncio", main)


def test_raw_client_keeps_one_connection_per_concurrency_slot() -> None:
    connections: list[int] = []
    responses = [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"] * 30

    async def main() -> None:
        server = await _crafted_server(responses, connections)
        port = server.sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}/"
        async with server, open_client("raw", url, concurrency=3) as req, asyncio.TaskGroup() as g:
            for _ in range(30):
                g.create_task(req())

    _run("asyncio", main)
    assert len(connections) == 3


def test_raw_client_rejects_a_non_http_url() -> None:
    async def main() -> None:
        async with open_client("raw", "ftp://example.org/"):
            pass

    with pytest.raises(ValueError, match="not an http"):
        _run("asyncio", main)


# --- the registry --------------------------------------------------------------------------------


def test_registry_lists_every_client_and_loop() -> None:
    assert CLIENTS == ("aiohttp", "httpx", "raw")
    assert LOOPS == ("asyncio", "uvloop")
    assert available_clients()["raw"] is None
    assert available_loops()["asyncio"] is None
    with pytest.raises(KeyError, match="unknown client"):
        open_client("requests", "http://127.0.0.1/")
    with pytest.raises(KeyError, match="unknown loop"):
        loop_factory("trio")


def test_a_missing_package_is_reported_with_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PRETEND_MISSING_ENV, "aiohttp, uvloop")
    assert not is_installed("aiohttp")
    assert is_installed("json")
    assert not is_installed("no_such_package_here")
    missing = available_clients()["aiohttp"]
    assert isinstance(missing, MissingDependency)
    assert str(missing) == "aiohttp is not installed; pip install 'asyncdoctor[bench]'"
    assert isinstance(available_loops()["uvloop"], MissingDependency)
    with pytest.raises(MissingDependency, match=r"uvloop is not installed"):
        loop_factory("uvloop")
    with pytest.raises(MissingDependency, match=r"asyncdoctor\[plot\]"):
        ensure_installed("no_such_package_here", extra="plot")

    async def main() -> None:
        async with open_client("aiohttp", "http://127.0.0.1:9/"):
            pass

    with pytest.raises(MissingDependency, match=r"aiohttp is not installed"):
        _run("asyncio", main)


def test_default_client_prefers_aiohttp_then_httpx_then_raw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PRETEND_MISSING_ENV, "")
    if is_installed("aiohttp"):
        assert default_client() == "aiohttp"
    monkeypatch.setenv(PRETEND_MISSING_ENV, "aiohttp")
    if is_installed("httpx"):
        assert default_client() == "httpx"
    monkeypatch.setenv(PRETEND_MISSING_ENV, "aiohttp,httpx")
    assert default_client() == "raw"
