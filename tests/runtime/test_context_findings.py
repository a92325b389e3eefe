"""Findings say which request caused them: the correlation ID and route of the task behind them.

Real servers on 127.0.0.1 (aiohttp's runner; Starlette and FastAPI under
uvicorn, in process), each asked once by a client in the same program, which
then stops: a request with ``X-Request-ID: abc`` whose handler blocks the
loop for 200 ms (twice the default threshold, so the finding does not
depend on the machine's load) must give a ``blocking-call`` finding that
carries ``abc`` and the route, in the JSON report of ``asyncdoctor run`` and
through the Python API, on asyncio's loop and on uvloop.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from ._engine import TIMEOUT, describe, line_of, run_program

pytest.importorskip("aiohttp")

LOOPS = ["asyncio", "uvloop"]

# `RUN(main())` runs the program on the loop the test asks for.
_RUNNERS = {
    "asyncio": "import asyncio\nRUN = asyncio.run\n",
    "uvloop": "import uvloop\nRUN = uvloop.run\n",
}


def _program(source: str, loop: str) -> str:
    if loop == "uvloop":
        pytest.importorskip("uvloop")
    return _RUNNERS[loop] + textwrap.dedent(source)


AIOHTTP_APP = """\
import time

import aiohttp
from aiohttp import web

from asyncdoctor.context import aiohttp_middleware


async def item(request):
    time.sleep(0.2)  # BLOCKS
    return web.json_response({"id": request.match_info["id"]})


async def main():
    app = web.Application(middlewares=[aiohttp_middleware()])
    app.router.add_get("/items/{id}", item)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/items/7"
            async with session.get(url, headers={"X-Request-ID": "abc"}) as response:
                print(response.status, response.headers["X-Request-ID"])
    finally:
        await runner.cleanup()


RUN(main())
"""

STARLETTE_APP = """\
import time

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from asyncdoctor.context import CorrelationMiddleware


async def item(request):
    time.sleep(0.2)  # BLOCKS
    return JSONResponse({"id": request.path_params["item_id"]})


app = Starlette(routes=[Mount("/api", routes=[Route("/items/{item_id}", item)])])
app.add_middleware(CorrelationMiddleware)
PATH, ROUTE = "/api/items/7", "GET /api/items/{item_id}"
"""

FASTAPI_APP = """\
import time

from fastapi import APIRouter, FastAPI

from asyncdoctor.context import CorrelationMiddleware

router = APIRouter(prefix="/v1")


@router.get("/items/{item_id}")
async def item(item_id: int):
    time.sleep(0.2)  # BLOCKS
    return {"id": item_id}


app = FastAPI()
app.include_router(router)
app.add_middleware(CorrelationMiddleware)
PATH, ROUTE = "/v1/items/7", "GET /v1/items/{item_id}"
"""

ASGI_CORRELATION_ID_APP = """\
import time

from asgi_correlation_id import CorrelationIdMiddleware
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def item(request):
    time.sleep(0.2)  # BLOCKS
    return JSONResponse({})


app = Starlette(routes=[Route("/items/{item_id}", item)])
app.add_middleware(CorrelationIdMiddleware, validator=None)
PATH, ROUTE = "/items/7", None
"""

# Serves `app` with uvicorn on 127.0.0.1, asks it once, and stops it.
UVICORN_MAIN = """

import asyncio

import httpx
import uvicorn


async def main():
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve())
    for _ in range(3000):
        if server.started or serving.done():
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}{PATH}"
            response = await client.get(url, headers={"X-Request-ID": "abc"})
            print(response.status_code, response.headers["x-request-id"])
    finally:
        server.should_exit = True
        await serving


RUN(main())
"""

FRAMEWORKS = {
    "starlette": (STARLETTE_APP, ("starlette", "uvicorn", "httpx")),
    "fastapi": (FASTAPI_APP, ("fastapi", "uvicorn", "httpx")),
    "asgi-correlation-id": (ASGI_CORRELATION_ID_APP, ("asgi_correlation_id", "uvicorn", "httpx")),
}


def _asgi_program(framework: str, loop: str) -> str:
    source, needs = FRAMEWORKS[framework]
    for module in needs:
        pytest.importorskip(module)
    return _program(source + UVICORN_MAIN, loop)


def _blocking(findings: list[dict[str, Any]], line: int) -> dict[str, Any]:
    found = [f for f in findings if f["kind"] == "blocking-call" and f["location"]["line"] == line]
    assert len(found) == 1, json.dumps(findings, indent=1)[:4000]
    return found[0]


def _run_cli(folder: Path, source: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prog.py").write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHONASYNCIODEBUG", "PYTHONDEVMODE", "PYTHONWARNINGS"))}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "asyncdoctor", "run", "--report", "report.json", "prog.py"],
        cwd=folder, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False,
    )  # fmt: skip
    report_path = folder / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    return result, report


@pytest.mark.parametrize("loop", LOOPS)
def test_aiohttp_blocking_call_carries_the_request_in_run_s_json_report(
    tmp_path: Path, loop: str
) -> None:
    source = _program(AIOHTTP_APP, loop)
    result, report = _run_cli(tmp_path, source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "200 abc\n"
    finding = _blocking(report.get("findings", []), line_of(source, "# BLOCKS"))
    assert finding["context"] == {"correlation_id": "abc", "route": "GET /items/{id}"}
    assert "[request abc, GET /items/{id}]" in result.stderr  # the text summary


@pytest.mark.parametrize("loop", LOOPS)
def test_aiohttp_blocking_call_carries_the_request_through_the_api(
    tmp_path: Path, loop: str
) -> None:
    source = _program(AIOHTTP_APP, loop)
    run = run_program(tmp_path, source)
    assert run.returncode == 0 and run.stdout == "200 abc\n", describe(run)
    finding = _blocking(run.findings, line_of(source, "# BLOCKS"))
    assert finding["context"] == {"correlation_id": "abc", "route": "GET /items/{id}"}


ASGI_CASES = [
    ("starlette", "asyncio"),
    ("starlette", "uvloop"),
    ("fastapi", "asyncio"),
    ("asgi-correlation-id", "asyncio"),
]


@pytest.mark.parametrize(("framework", "loop"), ASGI_CASES)
def test_asgi_blocking_call_carries_the_request_through_the_api(
    tmp_path: Path, framework: str, loop: str
) -> None:
    source = _asgi_program(framework, loop)
    run = run_program(tmp_path, source)
    assert run.returncode == 0 and run.stdout == "200 abc\n", describe(run)
    finding = _blocking(run.findings, line_of(source, "# BLOCKS"))
    route = {"starlette": "GET /api/items/{item_id}", "fastapi": "GET /v1/items/{item_id}"}
    assert finding["context"] == {"correlation_id": "abc", "route": route.get(framework)}


def test_fastapi_blocking_call_carries_the_request_in_run_s_json_report(tmp_path: Path) -> None:
    source = _asgi_program("fastapi", "asyncio")
    result, report = _run_cli(tmp_path, source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "200 abc\n"
    finding = _blocking(report.get("findings", []), line_of(source, "# BLOCKS"))
    assert finding["context"] == {"correlation_id": "abc", "route": "GET /v1/items/{item_id}"}


OTHER_KINDS = """\
import asyncio

from asyncdoctor.context import bind


async def save(n):
    await asyncio.sleep(0)


async def heartbeat():
    await asyncio.sleep(3600)


async def fail():
    raise ValueError("nobody looks")


async def handle(request_id):
    with bind(correlation_id=request_id, route="POST /orders"):
        save(1)  # LOST
        asyncio.get_running_loop().create_task(heartbeat())
        failing = asyncio.ensure_future(fail())
        await asyncio.sleep(0.01)
        del failing


async def main():
    await handle("r-1")
    await asyncio.sleep(0.01)


RUN(main())
"""


@pytest.mark.parametrize("loop", LOOPS)
def test_other_kinds_carry_the_request_of_their_task(tmp_path: Path, loop: str) -> None:
    source = _program(OTHER_KINDS, loop)
    run = run_program(tmp_path, source)
    assert run.returncode == 0, describe(run)
    expected = {"correlation_id": "r-1", "route": "POST /orders"}
    for kind in ("never-awaited", "pending-task", "unretrieved-exception"):
        found = run.of_kind(kind)
        assert len(found) == 1, describe(run)
        assert found[0]["context"] == expected, (kind, describe(run))


WITHOUT_CONTEXT = """\
import asyncio
import sys
import time


async def main():
    await asyncio.sleep(0.01)
    time.sleep(0.2)  # BLOCKS
    print("asyncdoctor.context" in sys.modules)


asyncio.run(main())
"""


def test_without_a_correlation_module_findings_have_no_context_and_nothing_is_imported(
    tmp_path: Path,
) -> None:
    run = run_program(tmp_path, WITHOUT_CONTEXT)
    assert run.returncode == 0 and run.stdout == "False\n", describe(run)
    finding = _blocking(run.findings, line_of(WITHOUT_CONTEXT, "# BLOCKS"))
    assert finding["context"] is None


def test_the_watchdog_reads_the_context_of_a_task_and_of_a_subclass() -> None:
    # 3.11's C task exposes its context to no Python code: the doctor reads the first
    # context its tp_traverse visits.  On later versions get_context() is used.
    code = textwrap.dedent("""\
        import asyncio, contextvars
        import asyncdoctor.context as ctx
        from asyncdoctor.runtime._context import _context_of, task_context

        class Mine(asyncio.Task):
            pass

        async def handler():
            with ctx.bind(correlation_id="c-task", route="GET /x"):
                task = asyncio.current_task()
                other = contextvars.Context()
                task.add_done_callback(lambda _: None, context=other)
                print(type(task).__name__, _context_of(task) is not other, task_context(task))

        async def main():
            await asyncio.create_task(handler())
            loop = asyncio.get_running_loop()
            loop.set_task_factory(lambda loop, coro, **kw: Mine(coro, loop=loop, **kw))
            await asyncio.create_task(handler())

        asyncio.run(main())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=TIMEOUT, check=True).stdout  # fmt: skip
    values = "(('correlation_id', 'c-task'), ('route', 'GET /x'))"
    assert out == f"Task True {values}\nMine True {values}\n"
