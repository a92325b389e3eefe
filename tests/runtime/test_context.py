"""``asyncdoctor.context``: correlation IDs and routes, set, read, logged and passed on.

Each piece against the real thing: Starlette's and FastAPI's routers (in
process, through httpx's ASGI transport), an aiohttp server and a plain
HTTP server on 127.0.0.1, ``logging`` and structlog.  The findings that
carry the context are in ``test_context_findings.py``.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from asyncdoctor import context as ctx
from asyncdoctor.runtime import Frame, RuntimeFinding
from asyncdoctor.runtime._doctor import _group
from asyncdoctor.runtime._models import finding_lines

LOOPS = ["asyncio", "uvloop"]


def _runner(loop: str) -> asyncio.Runner:
    if loop == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        return asyncio.Runner(loop_factory=uvloop.new_event_loop)
    return asyncio.Runner()


# --- the variables ------------------------------------------------------------------------------


def test_bind_sets_and_restores_and_nests() -> None:
    assert ctx.get_correlation_id() is None and ctx.get_route() is None
    with ctx.bind(correlation_id="outer", route="GET /a"):
        assert (ctx.get_correlation_id(), ctx.get_route()) == ("outer", "GET /a")
        with ctx.bind(correlation_id="inner"):  # the route is kept
            assert (ctx.get_correlation_id(), ctx.get_route()) == ("inner", "GET /a")
            assert ctx.correlation_id.get() == "inner"
        assert ctx.get_correlation_id() == "outer"
    assert ctx.get_correlation_id() is None and ctx.get_route() is None


def test_bind_restores_after_an_exception_and_follows_tasks() -> None:
    async def child() -> str | None:
        await asyncio.sleep(0)
        return ctx.get_correlation_id()

    async def main() -> tuple[str | None, str | None]:
        with ctx.bind(correlation_id="req-1"):
            task = asyncio.create_task(child())
        # the task keeps the value it was created with, after the block is left
        return await task, ctx.get_correlation_id()

    assert asyncio.run(main()) == ("req-1", None)
    with pytest.raises(KeyError), ctx.bind(correlation_id="x"):
        raise KeyError("boom")
    assert ctx.get_correlation_id() is None


def test_new_and_valid_ids() -> None:
    first, second = ctx.new_id(), ctx.new_id()
    assert first != second and len(first) == 32 and int(first, 16) >= 0
    assert first[12] == "4"  # a version-4 UUID
    for good in ("abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "Root=1-5759e988-bd862e3f",
                 "a" * 128, "team/job:42@host+x~y"):  # fmt: skip
        assert ctx.valid_id(good), good
    for bad in ("", "a" * 129, "has space", "new\nline", "quote\"", "tab\t", "é", "\x1b[31m"):
        assert not ctx.valid_id(bad), bad


def test_asgi_correlation_id_s_variable_is_read_too() -> None:
    from asgi_correlation_id.context import correlation_id as foreign

    token = foreign.set("from-asgi-correlation-id")
    try:
        assert ctx.get_correlation_id() == "from-asgi-correlation-id"
        with ctx.bind(correlation_id="ours"):
            assert ctx.get_correlation_id() == "ours"  # ours first
    finally:
        foreign.reset(token)


def test_importing_the_package_imports_no_framework() -> None:
    code = (
        "import sys, asyncdoctor.context\n"
        "heavy = ('asyncio', 'aiohttp', 'httpx', 'starlette', 'structlog', 'uvloop', 'typing',\n"
        "         'logging', 'uuid', 'inspect', 'threading', 'asyncdoctor.runtime')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout  # fmt: skip
    assert out.strip() == "[]"


def test_public_names_are_exported() -> None:
    assert sorted(ctx.__all__) == ctx.__all__
    for name in ctx.__all__:
        assert getattr(ctx, name) is not None
        assert not name.startswith("_")


# --- the ASGI middleware, at the protocol level -------------------------------------------------


class _Recorder:
    """A tiny ASGI app: records the context it ran in, answers with ``headers``."""

    def __init__(self, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.headers = headers or []
        self.seen: list[tuple[str | None, str | None, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.seen.append((ctx.get_correlation_id(), ctx.get_route(), scope["type"]))
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": self.headers})
            await send({"type": "http.response.body", "body": b"ok"})


def _call(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _http(path: str = "/items/7", headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "root_path": "",
            "headers": headers or []}  # fmt: skip


def test_asgi_middleware_takes_a_valid_header_and_echoes_it() -> None:
    inner = _Recorder()
    sent = _call(ctx.CorrelationMiddleware(inner), _http(headers=[(b"x-request-id", b"abc")]))
    assert inner.seen == [("abc", "GET /items/7", "http")]
    assert (b"x-request-id", b"abc") in sent[0]["headers"]
    assert ctx.get_correlation_id() is None  # nothing leaks out of the request


def test_asgi_middleware_replaces_an_unsafe_header_with_a_new_id() -> None:
    inner = _Recorder()
    _call(ctx.CorrelationMiddleware(inner), _http(headers=[(b"x-request-id", b"evil\r\nSet: x")]))
    ((cid, _route, _kind),) = inner.seen
    assert cid is not None and len(cid) == 32 and ctx.valid_id(cid)


def test_asgi_middleware_options() -> None:
    inner = _Recorder(headers=[(b"x-correlation-id", b"set-by-the-app")])
    middleware = ctx.CorrelationMiddleware(
        inner, header="X-Correlation-ID", generate=lambda: "generated", validate=str.isdigit
    )
    sent = _call(middleware, _http(headers=[(b"x-correlation-id", b"abc")]))
    assert inner.seen[0][0] == "generated"  # refused by the validator
    assert sent[0]["headers"] == [(b"x-correlation-id", b"set-by-the-app")]  # never overwritten
    quiet = ctx.CorrelationMiddleware(_Recorder(), echo=False)
    assert _call(quiet, _http())[0]["headers"] == []
    assert "X-Correlation-ID" in repr(middleware)


def test_asgi_middleware_passes_lifespan_through_and_names_websockets() -> None:
    inner = _Recorder()
    _call(ctx.CorrelationMiddleware(inner), {"type": "lifespan"})
    assert inner.seen == [(None, None, "lifespan")]
    inner = _Recorder()
    scope = {"type": "websocket", "path": "/ws", "headers": [(b"x-request-id", b"w1")]}
    assert _call(ctx.CorrelationMiddleware(inner), scope) == []
    assert inner.seen == [("w1", "WEBSOCKET /ws", "websocket")]


# --- Starlette and FastAPI: the route template ----------------------------------------------------


def _asgi_get(app: Any, path: str, headers: dict[str, str] | None = None) -> Any:
    import httpx

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(get())


def test_starlette_routes_are_templates_with_their_mount() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route

    async def show(request: Request) -> JSONResponse:
        return JSONResponse({"id": ctx.get_correlation_id(), "route": ctx.get_route()})

    async def files(scope: Any, receive: Any, send: Any) -> None:  # a plain ASGI app
        await JSONResponse({"route": ctx.get_route()})(scope, receive, send)

    app = Starlette(routes=[
        Route("/items/{item_id:int}", show),
        Mount("/api", routes=[Mount("/v2", routes=[Route("/users/{name}", show)])]),
        Mount("/files", app=files),
    ])  # fmt: skip
    app.add_middleware(ctx.CorrelationMiddleware)
    response = _asgi_get(app, "/items/7", {"X-Request-ID": "abc"})
    assert response.json() == {"id": "abc", "route": "GET /items/{item_id:int}"}
    assert response.headers["x-request-id"] == "abc"
    response = _asgi_get(app, "/api/v2/users/ann")
    assert response.json()["route"] == "GET /api/v2/users/{name}"
    assert response.json()["id"] == response.headers["x-request-id"]
    assert _asgi_get(app, "/files/a/b.txt").json()["route"] == "GET /files/{path}"
    assert _asgi_get(app, "/nowhere").status_code == 404


def test_fastapi_routes_are_templates_with_their_router_prefix() -> None:
    from fastapi import APIRouter, FastAPI

    router = APIRouter(prefix="/v1")

    @router.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, str | None]:
        return {"id": ctx.get_correlation_id(), "route": ctx.get_route()}

    app = FastAPI()
    app.include_router(router)
    app.add_middleware(ctx.CorrelationMiddleware)
    response = _asgi_get(app, "/v1/items/3", {"X-Request-ID": "req-9"})
    assert response.json() == {"id": "req-9", "route": "GET /v1/items/{item_id}"}


# --- a plain HTTP server on 127.0.0.1 that answers with the headers it got ------------------------


class _EchoHeaders(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


# --- aiohttp: the server middleware and the client trace config -----------------------------------


def test_aiohttp_middleware_sets_the_canonical_route_and_echoes() -> None:
    import aiohttp
    from aiohttp import web

    async def item(request: web.Request) -> web.Response:
        return web.json_response({"id": ctx.get_correlation_id(), "route": ctx.get_route()})

    async def missing(request: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    async def main() -> list[tuple[int, str, Any]]:
        app = web.Application(middlewares=[ctx.aiohttp_middleware()])
        app.router.add_get("/items/{id}", item)
        app.router.add_get("/gone", missing)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        results = []
        try:
            async with aiohttp.ClientSession() as session:
                for path, headers in (("/items/7", {"X-Request-ID": "abc"}), ("/gone", {}),
                                      ("/items/8", {"X-Request-ID": "no way"})):  # fmt: skip
                    url = f"http://127.0.0.1:{port}{path}"
                    async with session.get(url, headers=headers) as response:
                        body = await response.json() if response.status == 200 else None
                        results.append((response.status, response.headers["X-Request-ID"], body))
        finally:
            await runner.cleanup()
        return results

    ok, gone, refused = asyncio.run(main())
    assert ok == (200, "abc", {"id": "abc", "route": "GET /items/{id}"})
    assert gone[0] == 404 and ctx.valid_id(gone[1])  # echoed on an HTTPException too
    assert refused[1] != "no way" and refused[2] == {"id": refused[1], "route": "GET /items/{id}"}


def test_aiohttp_trace_config_sends_the_id_and_never_overwrites(echo_url: str) -> None:
    import aiohttp

    async def main() -> list[dict[str, str]]:
        seen = []
        config = ctx.aiohttp_trace_config()
        async with aiohttp.ClientSession(trace_configs=[config]) as session:
            for cid, headers in (("abc", {}), ("abc", {"x-request-id": "mine"}), (None, {})):
                with ctx.bind(correlation_id=cid):
                    async with session.get(echo_url, headers=headers) as response:
                        seen.append(await response.json())
        return seen

    sent, kept, outside = asyncio.run(main())
    assert sent["x-request-id"] == "abc"
    assert kept["x-request-id"] == "mine"
    assert "x-request-id" not in outside


# --- httpx: sync and async request hooks --------------------------------------------------------


def test_httpx_sync_hook(echo_url: str) -> None:
    import httpx

    with httpx.Client(event_hooks={"request": [ctx.httpx_hook(header="X-Correlation-ID")]}) as client:
        with ctx.bind(correlation_id="sync-1"):
            sent = client.get(echo_url).json()
            kept = client.get(echo_url, headers={"X-Correlation-ID": "mine"}).json()
        outside = client.get(echo_url).json()
    assert sent["x-correlation-id"] == "sync-1"
    assert kept["x-correlation-id"] == "mine"
    assert "x-correlation-id" not in outside


def test_httpx_async_hook(echo_url: str) -> None:
    import httpx

    async def main() -> tuple[dict[str, str], dict[str, str]]:
        hooks: dict[str, list[Callable[..., Any]]] = {"request": [ctx.httpx_async_hook()]}
        async with httpx.AsyncClient(event_hooks=hooks, headers={"X-Request-ID": "default"}) as c:
            with ctx.bind(correlation_id="async-1"):
                kept = (await c.get(echo_url)).json()  # the client's default header wins
            async with httpx.AsyncClient(event_hooks=hooks) as plain:
                with ctx.bind(correlation_id="async-1"):
                    sent = (await plain.get(echo_url)).json()
        return sent, kept

    sent, kept = asyncio.run(main())
    assert sent["x-request-id"] == "async-1"
    assert kept["x-request-id"] == "default"


# --- logging and structlog ----------------------------------------------------------------------


def test_logging_filter_with_a_real_handler() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(correlation_id)s %(route)s %(message)s"))
    handler.addFilter(ctx.ContextFilter())
    logger = logging.getLogger("asyncdoctor-test-context")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:

        async def handle() -> None:
            with ctx.bind(correlation_id="abc", route="GET /items/{id}"):
                await asyncio.sleep(0)
                logging.getLogger("asyncdoctor-test-context.child").info("inside")

        asyncio.run(handle())
        logger.info("outside")
        logger.info("explicit", extra={"correlation_id": "given"})
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().splitlines() == [
        "abc GET /items/{id} inside",
        "- - outside",
        "given - explicit",
    ]


def test_structlog_processor_with_real_structlog() -> None:
    structlog = pytest.importorskip("structlog")
    out = io.StringIO()
    logger = structlog.wrap_logger(
        structlog.PrintLogger(out),
        processors=[ctx.add_context, structlog.processors.JSONRenderer(sort_keys=True)],
    )
    with ctx.bind(correlation_id="abc", route="GET /items/{id}"):
        logger.info("inside")
        logger.info("mine", correlation_id="explicit")
    logger.info("outside")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {"event": "inside", "correlation_id": "abc", "route": "GET /items/{id}"}
    assert lines[1]["correlation_id"] == "explicit"
    assert lines[2] == {"event": "outside"}


# --- run_in_executor -----------------------------------------------------------------------------

_probe: contextvars.ContextVar[str] = contextvars.ContextVar("probe", default="unset")


def _read_probe(suffix: str = "") -> str:
    return _probe.get() + suffix


@pytest.fixture
def propagation() -> Iterator[None]:
    ctx.install()
    try:
        yield
    finally:
        ctx.uninstall()


@pytest.mark.parametrize("loop", LOOPS)
def test_run_in_executor_copies_the_context_once_installed(loop: str, propagation: None) -> None:
    async def main() -> list[str]:
        running = asyncio.get_running_loop()
        _probe.set("caller")
        with ThreadPoolExecutor(max_workers=1) as pool:
            return [
                await running.run_in_executor(None, _read_probe),
                await running.run_in_executor(pool, _read_probe, "!"),
                await running.run_in_executor(executor=pool, func=_read_probe),
                await asyncio.to_thread(_read_probe),
            ]

    with _runner(loop) as runner:
        assert runner.run(main()) == ["caller", "caller!", "caller", "caller"]


@pytest.mark.parametrize("loop", LOOPS)
def test_run_in_executor_is_unchanged_after_uninstall(loop: str) -> None:
    import asyncio.base_events

    before = asyncio.base_events.BaseEventLoop.__dict__["run_in_executor"]
    ctx.install()
    ctx.install()  # idempotent
    assert ctx.installed()
    ctx.uninstall()
    ctx.uninstall()
    assert not ctx.installed()
    assert asyncio.base_events.BaseEventLoop.__dict__["run_in_executor"] is before
    if loop == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        assert "run_in_executor" not in uvloop.Loop.__dict__

    async def main() -> str:
        _probe.set("caller")
        return await asyncio.get_running_loop().run_in_executor(None, _read_probe)

    with _runner(loop) as runner:
        assert runner.run(main()) == "unset"  # CPython issue 78195, as without us


def test_run_in_executor_keeps_its_checks_and_process_pools(propagation: None) -> None:
    async def coroutine_function() -> None:
        pass

    async def main() -> int:
        running = asyncio.get_running_loop()
        running.set_debug(True)
        with pytest.raises(TypeError, match="coroutines cannot be used with run_in_executor"):
            await running.run_in_executor(None, coroutine_function)
        running.set_debug(False)
        with ProcessPoolExecutor(max_workers=1) as pool:  # a context cannot be pickled
            return len(await running.run_in_executor(pool, _read_probe, "x"))

    assert asyncio.run(main()) == len("unsetx")
    assert asyncio.BaseEventLoop.run_in_executor.__name__ == "run_in_executor"


# --- findings: grouping and rendering ------------------------------------------------------------

HERE = Frame("app.py", 12, "handler")


def _blocking(cid: str | None, ms: float, route: str = "GET /items/{id}") -> RuntimeFinding:
    context = (("correlation_id", cid), ("route", route)) if cid else (("route", route),)
    return RuntimeFinding(
        kind="blocking-call",
        message=f"event loop blocked for {ms:.0f} ms",
        location=HERE,
        stack=(HERE,),
        duration=ms / 1000,
        extra=(("max_ms", f"{ms:.1f}"),),
        context=context,
    )


def test_a_group_keeps_its_longest_member_s_context_and_counts_requests() -> None:
    (group,) = _group([_blocking("a", 120), _blocking("b", 300), _blocking("a", 150)])
    assert group.count == 3
    assert dict(group.context or ()) == {"correlation_id": "b", "route": "GET /items/{id}"}
    assert dict(group.extra)["requests"] == "2"
    assert group.to_json()["context"] == {"correlation_id": "b", "route": "GET /items/{id}"}
    (line,) = finding_lines(group, str)
    assert line.endswith("(x3, 570 ms total) [request b and 1 other, GET /items/{id}]")
    (same,) = _group([_blocking("a", 120), _blocking("a", 130)])
    assert "requests" not in dict(same.extra)
    assert finding_lines(same, str)[0].endswith("[request a, GET /items/{id}]")


def test_context_in_json_and_text_when_partly_or_not_known() -> None:
    route_only = _blocking(None, 200)
    assert route_only.to_json()["context"] == {"correlation_id": None, "route": "GET /items/{id}"}
    assert finding_lines(route_only, str)[0].endswith("(200 ms) [GET /items/{id}]")
    unknown = route_only.replace(context=None)
    assert unknown.to_json()["context"] is None
    assert finding_lines(unknown, str)[0].endswith("(200 ms)")
    hostile = _blocking("abc", 200, route="GET /\x1b[31mred")
    assert "\x1b" not in finding_lines(hostile, str)[0]
    assert "GET /\\x1b[31mred]" in finding_lines(hostile, str)[0]


def test_context_values_reads_a_given_context_and_bounds_values() -> None:
    from asyncdoctor.context._vars import context_values

    assert context_values() == ()
    with ctx.bind(correlation_id="abc", route="GET /" + "x" * 1000):
        here = contextvars.copy_context()
    values = dict(context_values(here))
    assert values["correlation_id"] == "abc"
    assert len(values["route"]) == 256 and values["route"].endswith("...")
