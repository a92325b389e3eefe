"""The loopback server: HTTP/1.1 essentials, status paths, and the capacity mode's known knee."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from asyncdoctor.perf import LoopbackServer, ServerStartError
from asyncdoctor.perf._server import child_environment


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(body_size=5) as running:
        yield running


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def _exchange(
    port: int, raw: bytes, responses: int
) -> list[tuple[int, dict[str, str], bytes]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        return [await _read_response(reader) for _ in range(responses)]
    finally:
        writer.close()
        await writer.wait_closed()


def test_answers_any_method_and_path_with_the_configured_body(server: LoopbackServer) -> None:
    raw = b"GET /anything?x=1 HTTP/1.1\r\nHost: h\r\n\r\nDELETE /a/b HTTP/1.1\r\nHost: h\r\n\r\n"
    answers = asyncio.run(_exchange(server.port, raw, 2))
    assert [(status, body) for status, _, body in answers] == [(200, b"xxxxx"), (200, b"xxxxx")]
    assert answers[0][1]["connection"] == "keep-alive"
    assert server.url == f"http://127.0.0.1:{server.port}/"


def test_keep_alive_serves_many_requests_on_one_connection(server: LoopbackServer) -> None:
    async def main() -> list[int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        statuses = []
        try:
            for _ in range(20):
                writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
                statuses.append((await _read_response(reader))[0])
        finally:
            writer.close()
            await writer.wait_closed()
        return statuses

    assert asyncio.run(main()) == [200] * 20


def test_post_bodies_are_consumed_even_when_split_across_packets(server: LoopbackServer) -> None:
    async def main() -> list[int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(b"POST /status/201 HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234")
            await writer.drain()
            await asyncio.sleep(0.02)
            # the rest of the body, then a second request that must not be read as body
            writer.write(b"56789GET /status/202 HTTP/1.1\r\n\r\n")
            return [(await _read_response(reader))[0] for _ in range(2)]
        finally:
            writer.close()
            await writer.wait_closed()

    assert asyncio.run(main()) == [201, 202]


def test_pipelined_requests_are_answered_in_order(server: LoopbackServer) -> None:
    codes = [200, 404, 500, 201, 503]
    raw = b"".join(f"GET /status/{code} HTTP/1.1\r\n\r\n".encode() for code in codes)
    answers = asyncio.run(_exchange(server.port, raw, len(codes)))
    assert [status for status, _, _ in answers] == codes
    assert answers[2][2] == b"Internal Server Error"


def test_connection_close_and_http_1_0_close_the_connection(server: LoopbackServer) -> None:
    async def main(raw: bytes) -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(raw)
            status, headers, _ = await _read_response(reader)
            assert headers["connection"] == "close"
            return status, await reader.read()  # b"" once the server has closed
        finally:
            writer.close()
            await writer.wait_closed()

    assert asyncio.run(main(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")) == (200, b"")
    assert asyncio.run(main(b"GET / HTTP/1.0\r\n\r\n")) == (200, b"")


def test_malformed_request_gets_400(server: LoopbackServer) -> None:
    answers = asyncio.run(_exchange(server.port, b"NONSENSE\r\n\r\n", 1))
    assert answers[0][0] == 400


def test_binds_the_loopback_interface_only(server: LoopbackServer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:  # no packet is sent: this only asks the kernel which interface routes outwards
            probe.connect(("192.0.2.1", 9))
            outward = probe.getsockname()[0]
        except OSError:
            outward = None
    if outward is None or outward.startswith("127."):
        pytest.skip("this machine has no non-loopback address to probe")
    with pytest.raises(OSError):
        socket.create_connection((outward, server.port), timeout=1).close()


def test_stop_is_idempotent_and_the_child_exits() -> None:
    server = LoopbackServer()
    server.stop()  # before start: nothing to do
    server.start()
    process = server._process
    assert process is not None
    server.stop()
    assert process.returncode is not None  # reaped: no zombie
    server.stop()
    with pytest.raises(RuntimeError, match="not running"):
        server.url  # noqa: B018


def test_a_port_in_use_is_a_clear_start_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = LoopbackServer(port=port)
        with pytest.raises(ServerStartError, match=r"cannot listen on 127\.0\.0\.1"):
            server.start()
        server.stop()


def test_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="workers"):
        LoopbackServer(workers=0)
    with pytest.raises(ValueError, match="service_time"):
        LoopbackServer(workers=2, service_time=-1)


async def _closed_loop(port: int, concurrency: int, duration: float) -> tuple[float, float]:
    """Throughput (req/s) and median latency (s) of ``concurrency`` keep-alive connections."""
    latencies: list[float] = []
    opened = asyncio.Barrier(concurrency + 1)
    go = asyncio.Event()
    stop_at = 0.0

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            await opened.wait()  # every connection open: the measured window starts
            await go.wait()
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
                await _read_response(reader)
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()
            await writer.wait_closed()

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(connection())
        await opened.wait()
        started = time.perf_counter()
        stop_at = started + duration
        go.set()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, statistics.median(latencies)


@pytest.mark.parametrize("use_uvloop", [False, True])
def test_capacity_mode_has_a_knee_at_the_worker_count(use_uvloop: bool) -> None:
    # Only what the design guarantees on a machine of any speed and load is asserted:
    # latency never below the service time, no more than the capacity, no queueing up to
    # N callers, a service time of queueing at 2N; a busy machine adds to every latency
    # about the same overhead, which the differences between levels cancel.
    if use_uvloop:
        pytest.importorskip("uvloop")
    workers, service_time, duration = 4, 0.05, 0.5  # capacity: 80 requests/s
    with LoopbackServer(workers=workers, service_time=service_time, use_uvloop=use_uvloop) as srv:
        half_rate, half_latency = asyncio.run(_closed_loop(srv.port, workers // 2, duration))
        at_rate, at_latency = asyncio.run(_closed_loop(srv.port, workers, duration))
        past_rate, past_latency = asyncio.run(_closed_loop(srv.port, 2 * workers, duration))
    capacity = workers / service_time
    # each request holds a worker for the service time; at most `workers` at once (a
    # window can hold one batch more than its length allows)
    assert min(half_latency, at_latency, past_latency) >= service_time
    for rate in (half_rate, at_rate, past_rate):
        assert rate <= capacity * (1 + service_time / duration), (rate, capacity)
    # up to the worker count nothing waits: the latency does not grow by a service time
    assert at_latency - half_latency < service_time / 2, (half_latency, at_latency)
    # past it every request waits for a worker, about one service time (less only when
    # the client is slow to send its next request)
    assert past_latency - at_latency > service_time / 2, (at_latency, past_latency)
    # ... and more callers never serve fewer (the queue hides their own overhead)
    assert past_rate >= 0.85 * at_rate, (at_rate, past_rate)
    assert half_rate < 0.75 * past_rate, (half_rate, past_rate)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_in_the_terminal_leaves_stopping_to_the_parent() -> None:
    # Ctrl-C interrupts the whole process group: the child used to die of it with a
    # KeyboardInterrupt traceback (and a "Fatal Python error" from its stdin thread)
    # printed over the parent's one-line "asyncdoctor: interrupted"
    with LoopbackServer() as server:
        process = server._process
        assert process is not None
        os.kill(process.pid, signal.SIGINT)
        time.sleep(0.2)
        assert process.poll() is None
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    assert process.returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_child_does_not_outlive_a_killed_parent() -> None:
    code = (
        "import sys, time\n"
        "from asyncdoctor.perf import LoopbackServer\n"
        "server = LoopbackServer()\n"
        "server.start()\n"
        "print(server._process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, env=child_environment()
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
    finally:
        parent.kill()  # SIGKILL: no cleanup code runs in the parent
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(child)
