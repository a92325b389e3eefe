"""Queues, connection pools and open resources: found without the program's help, read when asked.

The pool tests hold a real aiohttp server on 127.0.0.1 (its handler waits on an
``asyncio.Event``) so that connections are in use and requests wait at a moment
the test controls; figures are then read from another thread, as an exporter
does, and the server released.  Nothing waits on time: each wait is on a
condition, with a generous deadline.  asyncpg's pool is tested against the
PostgreSQL server of the machine (127.0.0.1:5432, user postgres, db test),
skipped when it is not reachable, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import os
import subprocess
import sys
import textwrap
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

import asyncdoctor.runtime as rt

aiohttp = pytest.importorskip("aiohttp")
httpx = pytest.importorskip("httpx")
from aiohttp import web  # noqa: E402

T = TypeVar("T")
HERE = Path(__file__).read_text(encoding="utf-8").splitlines()
DEADLINE = 60.0
TIMEOUT = 120
PG = "postgresql://postgres@127.0.0.1:5432/test"


def site(marker: str) -> str:
    """``path:line`` of the line of this file that carries ``# marker``."""
    lines = [n for n, text in enumerate(HERE, start=1) if text.rstrip().endswith(f"# {marker}")]
    assert len(lines) == 1, marker
    return f"{__file__}:{lines[0]}"


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for ``condition`` (checked at each turn of the loop), at most DEADLINE seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not condition():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


def run(coro: Coroutine[Any, Any, T], loop: str = "asyncio") -> T:
    if loop == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        result: T = uvloop.run(coro)
        return result
    return asyncio.run(coro)


LOOPS = ["asyncio", pytest.param("uvloop", marks=pytest.mark.skipif(
    sys.platform == "win32", reason="uvloop is not available on Windows"))]


def queue_at(doctor: rt.Doctor, where: str, limit: int = 20) -> rt.QueueSite:
    [found] = [q for q in doctor.queues(limit) if q.site == where]
    return found


def pool_at(doctor: rt.Doctor, kind: str, where: str) -> rt.PoolSite | None:
    found = [p for p in doctor.pools() if p.kind == kind and p.site == where]
    assert len(found) <= 1
    return found[0] if found else None


def resource(doctor: rt.Doctor, kind: str) -> rt.ResourceCount:
    found = [r for r in doctor.resources() if r.kind == kind]
    return found[0] if found else rt.ResourceCount(kind, 0, 0)


def already_open(doctor: rt.Doctor, kind: str) -> int:
    """Objects of ``kind`` open before the test made any: another test's, still alive in this
    process (found by the doctor's scan at install), which the counts below must not depend on."""
    gc.collect()
    return resource(doctor, kind).open or 0


# -- queues -------------------------------------------------------------------------------------


class Jobs(asyncio.Queue[int]):
    def __init__(self) -> None:
        super().__init__(5)


async def _queues(doctor: rt.Doctor) -> dict[str, Any]:
    plain = [asyncio.Queue[int]() for _ in range(3)]  # Q-PLAIN
    for item in range(4):
        plain[0].put_nowait(item)
    plain[1].put_nowait(9)
    ranked = asyncio.PriorityQueue[int](10)  # Q-PRIORITY
    ranked.put_nowait(1)
    stack = asyncio.LifoQueue[int](1)  # Q-LIFO
    stack.put_nowait(1)
    jobs = Jobs()  # Q-SUBCLASS
    getter = asyncio.ensure_future(plain[2].get())
    putter = asyncio.ensure_future(stack.put(2))
    await until(lambda: bool(plain[2]._getters) and bool(stack._putters),  # type: ignore[attr-defined]
                "a getter and a putter")
    read = await asyncio.to_thread(doctor.queues)  # from another thread, as an exporter
    getter.cancel()
    putter.cancel()
    await asyncio.gather(getter, putter, return_exceptions=True)
    del jobs
    return {q.site: q for q in read}


@pytest.mark.parametrize("loop", LOOPS)
def test_queues_by_creation_site_with_depths_bounds_and_waiters(loop: str) -> None:
    with rt.watch() as doctor:
        sites = run(_queues(doctor), loop)
    assert sites[site("Q-PLAIN")] == rt.QueueSite(site("Q-PLAIN"), queues=3, depth=5, max_depth=4,
                                                  maxsize=0, getters=1, putters=0)
    assert sites[site("Q-PRIORITY")] == rt.QueueSite(site("Q-PRIORITY"), 1, 1, 1, 10, 0, 0)
    assert sites[site("Q-LIFO")] == rt.QueueSite(site("Q-LIFO"), 1, 1, 1, 1, 0, 1)
    # a subclass with its own __init__ is named where it is made, not at its super().__init__()
    assert sites[site("Q-SUBCLASS")] == rt.QueueSite(site("Q-SUBCLASS"), 1, 0, 0, 5, 0, 0)


def test_sites_beyond_the_limit_are_summed_as_other() -> None:
    def make(depth: int) -> asyncio.Queue[int]:
        q: asyncio.Queue[int] = asyncio.Queue(100)  # Q-MAKE
        for item in range(depth):
            q.put_nowait(item)
        return q

    with rt.watch() as doctor:
        keep = [make(7), asyncio.Queue(3), asyncio.Queue(), asyncio.Queue(2)]  # Q-FOUR
        keep[1].put_nowait(1)
        keep[3].put_nowait(1)
        keep[3].put_nowait(2)
        mine = [q for q in doctor.queues(limit=1000) if q.site in (site("Q-MAKE"), site("Q-FOUR"))]
        assert [(q.site, q.queues, q.depth) for q in mine] == [(site("Q-MAKE"), 1, 7),
                                                              (site("Q-FOUR"), 3, 3)]
        assert queue_at(doctor, site("Q-FOUR")).maxsize == 0  # one of them is unbounded
        top = doctor.queues(limit=1)
        assert top[0].site == site("Q-MAKE")
        assert top[-1].site == "other" and len(top) == 2
        assert top[-1].queues == sum(q.queues for q in doctor.queues(1000)) - 1
        del keep


def test_nothing_is_kept_alive() -> None:
    with rt.watch() as doctor:
        q: asyncio.Queue[int] = asyncio.Queue()  # Q-GONE
        client = httpx.Client()
        refs = [weakref.ref(q), weakref.ref(client)]
        assert queue_at(doctor, site("Q-GONE")).queues == 1
        client.close()
        del q, client
        gc.collect()
        assert [r() for r in refs] == [None, None]
        assert site("Q-GONE") not in {s.site for s in doctor.queues()}
        assert resource(doctor, "httpx.Client").open == 0
        assert resource(doctor, "httpx.Client").created == 1


def test_the_classes_are_unchanged_to_the_program() -> None:
    import httpcore

    classes = [asyncio.Queue, aiohttp.ClientSession, aiohttp.BaseConnector, httpx.AsyncClient,
               httpx.Client, httpcore.AsyncConnectionPool, httpcore.ConnectionPool]
    before = {cls: (cls.__init__, inspect.signature(cls)) for cls in classes}
    with pytest.raises(TypeError) as plain:
        asyncio.Queue(loop=None)  # type: ignore[call-arg]
    with rt.watch():
        for cls in classes:
            init = vars(cls)["__init__"]
            original, signature = before[cls]
            assert init is not original and inspect.unwrap(init) is original
            assert (init.__name__, init.__qualname__, init.__doc__) == (
                original.__name__, original.__qualname__, original.__doc__)
            assert inspect.signature(cls) == signature
        with pytest.raises(TypeError) as doctored:
            asyncio.Queue(loop=None)  # type: ignore[call-arg]
        assert str(doctored.value) == str(plain.value)
    assert {cls: vars(cls)["__init__"] for cls in classes} == {c: b[0] for c, b in before.items()}
    assert not any(type(f).__module__.startswith("asyncdoctor") for f in sys.meta_path)


def test_a_figure_that_cannot_be_read_is_unknown_and_said() -> None:
    with rt.watch() as doctor:
        q: asyncio.Queue[int] = asyncio.Queue()  # Q-BROKEN
        del q._getters  # type: ignore[attr-defined]  # as on a Python whose Queue has none
        found = queue_at(doctor, site("Q-BROKEN"))
        assert (found.queues, found.depth, found.getters) == (1, None, None)
        reasons = dict(doctor.report().unavailable)
        assert "_getters" in reasons["queue figures"]
        del q


def test_a_failure_of_the_inventory_costs_the_program_nothing(
        capsys: pytest.CaptureFixture[str]) -> None:
    class Broken(dict[int, Any]):
        def get(self, *args: Any) -> Any:
            raise RuntimeError("boom")

    doctor = rt.Doctor()
    doctor.inventory._modules = Broken()
    doctor.install()
    try:
        q: asyncio.Queue[int] = asyncio.Queue(3)
        q.put_nowait(1)
        assert (q.maxsize, q.qsize()) == (3, 1)
        asyncio.Queue()
    finally:
        doctor.uninstall()
    err = capsys.readouterr().err
    assert err.count("asyncdoctor: internal error in inventory (RuntimeError: boom)") == 1


# -- pools --------------------------------------------------------------------------------------


class Server:
    """An aiohttp server on 127.0.0.1 whose handler holds each request until ``release`` is set."""

    def __init__(self) -> None:
        self.entered = 0
        self.release = asyncio.Event()
        self.url = ""

    async def handler(self, request: web.Request) -> web.Response:
        self.entered += 1
        await self.release.wait()
        return web.Response(text="ok")

    async def __aenter__(self) -> Server:
        app = web.Application()
        app.router.add_get("/", self.handler)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        tcp = web.TCPSite(self.runner, "127.0.0.1", 0)
        await tcp.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        await self.runner.cleanup()


async def _aiohttp_pool(doctor: rt.Doctor) -> list[rt.PoolSite | None]:
    kind = "aiohttp.BaseConnector"
    seen: list[rt.PoolSite | None] = []

    async def fetch(session: Any) -> str:
        async with session.get(server.url) as response:
            text: str = await response.text()
            return text

    async with Server() as server:
        connector = aiohttp.TCPConnector(limit=2)  # P-AIOHTTP
        async with aiohttp.ClientSession(connector=connector) as session:
            requests = [asyncio.create_task(fetch(session)) for _ in range(3)]
            await until(lambda: server.entered == 2, "two requests at the server")
            await until(lambda: (pool_at(doctor, kind, site("P-AIOHTTP")) or rt.PoolSite(
                kind, "", 0, 0, 0, 0, 0)).waiters == 1, "a request waiting for a connection")
            seen.append(await asyncio.to_thread(pool_at, doctor, kind, site("P-AIOHTTP")))
            server.release.set()
            assert await asyncio.gather(*requests) == ["ok"] * 3
            seen.append(pool_at(doctor, kind, site("P-AIOHTTP")))
        seen.append(pool_at(doctor, kind, site("P-AIOHTTP")))  # closed: no longer a pool
    return seen


@pytest.mark.parametrize("loop", LOOPS)
def test_aiohttp_connector_in_use_idle_and_waiting(loop: str) -> None:
    with rt.watch() as doctor:
        during, after, closed = run(_aiohttp_pool(doctor), loop)
        sessions = resource(doctor, "aiohttp.ClientSession")
    assert during == rt.PoolSite("aiohttp.BaseConnector", site("P-AIOHTTP"), pools=1, in_use=2,
                                 idle=0, waiters=1, limit=2)
    assert after is not None and (after.in_use, after.idle, after.waiters) == (0, 2, 0)
    assert closed is None
    assert (sessions.open, sessions.created) == (0, 1)


async def _httpx_pool(doctor: rt.Doctor) -> list[rt.PoolSite | None]:
    kind = "httpcore.AsyncConnectionPool"
    seen: list[rt.PoolSite | None] = []
    limits = httpx.Limits(max_connections=2)
    before = already_open(doctor, "httpx.AsyncClient")
    async with Server() as server, httpx.AsyncClient(limits=limits) as client:  # P-HTTPX
        requests = [asyncio.create_task(client.get(server.url)) for _ in range(3)]
        await until(lambda: server.entered == 2, "two requests at the server")
        await until(lambda: (pool_at(doctor, kind, site("P-HTTPX")) or rt.PoolSite(
            kind, "", 0, 0, 0, 0, 0)).waiters == 1, "a request waiting for a connection")
        seen.append(await asyncio.to_thread(pool_at, doctor, kind, site("P-HTTPX")))
        server.release.set()
        assert [r.text for r in await asyncio.gather(*requests)] == ["ok"] * 3
        seen.append(pool_at(doctor, kind, site("P-HTTPX")))
        clients = resource(doctor, "httpx.AsyncClient")
        assert (clients.open, clients.created) == (before + 1, 1)
    assert resource(doctor, "httpx.AsyncClient").open == before
    return seen


@pytest.mark.parametrize("loop", LOOPS)
def test_httpx_client_pool_in_use_idle_and_waiting(loop: str) -> None:
    with rt.watch() as doctor:
        during, after = run(_httpx_pool(doctor), loop)
    assert during == rt.PoolSite("httpcore.AsyncConnectionPool", site("P-HTTPX"), pools=1, in_use=2,
                                 idle=0, waiters=1, limit=2)
    assert after is not None and (after.in_use, after.idle, after.waiters) == (0, 2, 0)


async def _asyncpg_pool(doctor: rt.Doctor) -> dict[str, Any]:
    import asyncpg

    kind = "asyncpg.Pool"
    try:
        pool = await asyncpg.create_pool(PG, min_size=1, max_size=2, timeout=10)  # P-ASYNCPG
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        message = f"PostgreSQL is not reachable at 127.0.0.1:5432 (db test): {exc}"
        if os.environ.get("CI"):  # CI's machine runs it: a test that cannot reach it fails there
            pytest.fail(message)
        pytest.skip(message)
    out: dict[str, Any] = {"start": pool_at(doctor, kind, site("P-ASYNCPG"))}
    first, second = await pool.acquire(), await pool.acquire()
    third = asyncio.ensure_future(pool.acquire())
    await until(lambda: (pool_at(doctor, kind, site("P-ASYNCPG")) or rt.PoolSite(
        kind, "", 0, 0, 0, 0, 0)).waiters == 1, "an acquire waiting")
    out["busy"] = await asyncio.to_thread(pool_at, doctor, kind, site("P-ASYNCPG"))
    out["connections"] = resource(doctor, "asyncpg.Connection")
    await pool.release(first)
    await pool.release(await third)
    await pool.release(second)
    out["after"] = pool_at(doctor, kind, site("P-ASYNCPG"))
    out["queue sites"] = [q.site for q in doctor.queues()]
    out["pools open"] = resource(doctor, kind).open
    await pool.close()
    out["closed"] = pool_at(doctor, kind, site("P-ASYNCPG"))
    out["pools open after close"] = resource(doctor, kind).open
    out["connections after close"] = resource(doctor, "asyncpg.Connection").open
    return out


def test_asyncpg_pool_against_the_real_server() -> None:
    pytest.importorskip("asyncpg")
    with rt.watch() as doctor:
        out = run(_asyncpg_pool(doctor))
    kind, where = "asyncpg.Pool", site("P-ASYNCPG")
    assert out["start"] == rt.PoolSite(kind, where, pools=1, in_use=0, idle=1, waiters=0, limit=2)
    assert out["busy"] == rt.PoolSite(kind, where, pools=1, in_use=2, idle=0, waiters=1, limit=2)
    assert out["connections"] == rt.ResourceCount("asyncpg.Connection", open=2, created=2)
    assert out["after"] == rt.PoolSite(kind, where, pools=1, in_use=0, idle=2, waiters=0, limit=2)
    assert where not in out["queue sites"]  # the pool's own queue is the pool, not a queue
    assert not any("asyncpg" in s for s in out["queue sites"])
    assert out["pools open"] == 1
    assert out["closed"] is None and out["pools open after close"] == 0
    assert out["connections after close"] == 0


# -- exporters ----------------------------------------------------------------------------------


async def _holdings(body: Callable[[], Awaitable[T]]) -> T:
    queues = [asyncio.Queue[int](10) for _ in range(2)]  # E-QUEUES
    for item in range(3):
        queues[0].put_nowait(item)
    queues[1].put_nowait(1)
    async with aiohttp.ClientSession() as session:  # E-SESSION
        assert not session.closed
        async with httpx.AsyncClient():  # E-CLIENT
            return await body()


def test_prometheus_families_parse_with_the_reference_parser() -> None:
    pytest.importorskip("prometheus_client")
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    from asyncdoctor.export.prometheus import AsyncdoctorCollector

    with rt.watch() as doctor:
        registry = CollectorRegistry()
        registry.register(AsyncdoctorCollector(doctor))

        async def scrape() -> bytes:
            return await asyncio.to_thread(generate_latest, registry)

        before = {kind: already_open(doctor, kind) for kind in ("aiohttp.ClientSession", "httpx.AsyncClient")}
        text = run(_holdings(scrape)).decode()
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    queues = (("site", site("E-QUEUES")),)
    assert samples["python_asyncio_queues"][queues] == 2
    assert samples["python_asyncio_queue_depth"][queues] == 4
    assert samples["python_asyncio_queue_depth_max"][queues] == 3
    assert samples["python_asyncio_queue_maxsize"][queues] == 10
    assert samples["python_asyncio_queue_waiters"][(("op", "get"), *queues)] == 0
    connector = (("kind", "aiohttp.BaseConnector"), ("site", site("E-SESSION")))
    assert samples["python_asyncio_pools"][connector] == 1
    assert samples["python_asyncio_pool_connections_limit"][connector] == 100
    assert samples["python_asyncio_pool_connections"][(*connector, ("state", "in_use"))] == 0
    assert samples["python_asyncio_pool_waiters"][connector] == 0
    httpcore_pool = (("kind", "httpcore.AsyncConnectionPool"), ("site", site("E-CLIENT")))
    assert samples["python_asyncio_pools"][httpcore_pool] == 1
    for kind in ("aiohttp.ClientSession", "httpx.AsyncClient"):
        assert samples["python_asyncio_resources_open"][(("kind", kind),)] == 1 + before[kind]
        assert samples["python_asyncio_resources_created_total"][(("kind", kind),)] == 1


def test_opentelemetry_instruments_through_the_sdk() -> None:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    from asyncdoctor.export.otel import instrument

    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    try:
        with rt.watch() as doctor:
            instrument(provider, doctor=doctor)

            async def collect() -> Any:
                return await asyncio.to_thread(reader.get_metrics_data)

            before = already_open(doctor, "httpx.AsyncClient")
            data = run(_holdings(collect))
    finally:
        provider.shutdown()
    points: dict[str, list[tuple[dict[str, Any], float]]] = {}
    for resource_metrics in data.resource_metrics:
        for scope in resource_metrics.scope_metrics:
            for metric in scope.metrics:
                points[metric.name] = [(dict(p.attributes), p.value) for p in metric.data.data_points]

    def value(name: str, **attributes: str) -> float:
        [found] = [v for a, v in points[name] if a == attributes]
        return found

    where = site("E-QUEUES")
    assert value("python.asyncio.queue.count", site=where) == 2
    assert value("python.asyncio.queue.depth", site=where) == 4
    assert value("python.asyncio.queue.depth.max", site=where) == 3
    assert value("python.asyncio.queue.maxsize", site=where) == 10
    assert value("python.asyncio.queue.waiters", site=where, op="put") == 0
    connector = {"kind": "aiohttp.BaseConnector", "site": site("E-SESSION")}
    assert value("python.asyncio.pool.count", **connector) == 1
    assert value("python.asyncio.pool.connection.limit", **connector) == 100
    assert value("python.asyncio.pool.connection.count", **connector, state="idle") == 0
    assert value("python.asyncio.pool.waiters", **connector) == 0
    assert value("python.asyncio.resources.open", kind="httpx.AsyncClient") == 1 + before
    assert value("python.asyncio.resources.created", kind="aiohttp.ClientSession") == 1


# -- in a process of its own --------------------------------------------------------------------


def _python(code: str, *args: str, tmp_path: Path, run_: bool = False) -> Any:
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent(code), encoding="utf-8")
    command = [sys.executable, *(["-m", "asyncdoctor", "run"] if run_ else []), str(prog), *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False,
                          cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


IMPORTED_LATER = """
import asyncio, json, sys

async def main():
    out = {"imported before": "aiohttp" in sys.modules or "httpx" in sys.modules}
    import aiohttp, httpx
    import asyncdoctor.runtime as rt
    doctor = rt.current()
    out["doctor"] = doctor is not None
    async with aiohttp.ClientSession() as session, httpx.AsyncClient() as client:  # MADE
        out["pools"] = sorted([p.kind, p.site.rsplit(":", 1)[1]] for p in doctor.pools())
        out["open"] = sorted([r.kind, r.open] for r in doctor.resources())
    out["loaders"] = [type(m.__loader__).__name__ == type(json.__loader__).__name__
                      and m.__spec__.loader is m.__loader__ for m in (aiohttp, httpx)]
    print(json.dumps(out))

asyncio.run(main())
"""


def test_libraries_imported_after_the_doctor_under_asyncdoctor_run(tmp_path: Path) -> None:
    out = _python(IMPORTED_LATER, tmp_path=tmp_path, run_=True)
    line = str(next(n for n, text in enumerate(textwrap.dedent(IMPORTED_LATER).splitlines(), 1)
                    if "# MADE" in text))
    assert out["imported before"] is False and out["doctor"] is True
    assert out["pools"] == [["aiohttp.BaseConnector", line], ["httpcore.AsyncConnectionPool", line]]
    assert out["open"] == [["aiohttp.BaseConnector", 1], ["aiohttp.ClientSession", 1],
                           ["httpx.AsyncClient", 1]]
    assert out["loaders"] == [True, True]  # each module has its real loader back


MADE_BEFORE = """
import asyncio, json
import aiohttp
import asyncdoctor.runtime as rt

async def main():
    early = asyncio.Queue()
    early.put_nowait(1)
    session = aiohttp.ClientSession()
    doctor = rt.install()  # a program already under way: what exists is found
    late = asyncio.Queue()  # LATE
    out = {"queues": sorted([q.site.rsplit("/", 1)[-1], q.queues, q.depth] for q in doctor.queues()),
           "sessions": [[r.open, r.created] for r in doctor.resources()
                        if r.kind == "aiohttp.ClientSession"]}
    await session.close()
    out["closed"] = [r.open for r in doctor.resources() if r.kind == "aiohttp.ClientSession"]
    print(json.dumps(out))
    del early, late

asyncio.run(main())
"""


def test_objects_made_before_the_doctor_are_found_without_a_site(tmp_path: Path) -> None:
    out = _python(MADE_BEFORE, tmp_path=tmp_path)
    line = next(n for n, text in enumerate(textwrap.dedent(MADE_BEFORE).splitlines(), 1)
                if "# LATE" in text)
    assert out["queues"] == [[f"prog.py:{line}", 1, 0], ["unknown", 1, 1]]
    assert out["sessions"] == [[1, 0]]  # open, but not made since install
    assert out["closed"] == [0]
