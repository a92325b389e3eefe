"""Jazz festival line-up API (Starlette) behind the festival app: running
order per stage, remaining tickets from the three ticket agents, and the
"next act on" banner that follows the stage managers' changeover status."""
import asyncio
import contextlib
import json
import os

import asyncpg
import httpx
from redis import asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TICKET_AGENTS = ("https://api.tixline.example/v2", "https://partners.gigpass.example/v1", "https://box.festivaltix.example/api")
STAGES = ("main", "big-top", "cellar-bar", "bandstand")
STAGE_DESK = "https://stagedesk.festival.internal/api"


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    async with contextlib.AsyncExitStack() as stack:
        app.state.http = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        app.state.redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost"), decode_responses=True)
        stack.push_async_callback(app.state.redis.aclose)
        app.state.pool = await asyncpg.create_pool(os.environ["FESTIVAL_DSN"], max_size=5)
        stack.push_async_callback(app.state.pool.close)
        yield


async def remaining_at(http: httpx.AsyncClient, agent: str, day: str) -> int:
    resp = await http.get(f"{agent}/events/jazzfest-2025/{day}/availability")
    resp.raise_for_status()
    return int(resp.json()["remaining"])


async def tickets(request: Request) -> JSONResponse:
    day = request.path_params["day"]
    try:
        async with asyncio.timeout(4):
            counts = await asyncio.gather(*(remaining_at(request.app.state.http, a, day) for a in TICKET_AGENTS))
    except TimeoutError:
        cached = await request.app.state.redis.get(f"tickets:{day}")
        return JSONResponse({"day": day, "remaining": json.loads(cached) if cached else None, "stale": True})
    await request.app.state.redis.set(f"tickets:{day}", json.dumps(sum(counts)), ex=600)
    return JSONResponse({"day": day, "remaining": sum(counts), "stale": False})


async def running_order(request: Request) -> JSONResponse:
    rows = await request.app.state.pool.fetch(
        "SELECT stage, act, starts_at FROM slots WHERE day = $1::date ORDER BY stage, starts_at", request.path_params["day"]
    )
    order: dict[str, list] = {s: [] for s in STAGES}
    for r in rows:
        order[r["stage"]].append({"act": r["act"], "starts": r["starts_at"].isoformat()})
    return JSONResponse(order)


async def refresh_banner(http: httpx.AsyncClient, redis, stage: str) -> None:
    resp = await http.get(f"{STAGE_DESK}/stages/{stage}/changeover")
    if resp.status_code == 200:
        await redis.set(f"banner:{stage}", resp.json()["next_act"], ex=120)


async def banners(request: Request) -> JSONResponse:
    async with asyncio.TaskGroup() as tg:
        for stage in STAGES:
            tg.create_task(refresh_banner(request.app.state.http, request.app.state.redis, stage))
    values = await request.app.state.redis.mget([f"banner:{s}" for s in STAGES])
    return JSONResponse(dict(zip(STAGES, values)))


async def wait_for_changeover(request: Request) -> JSONResponse:
    """Stage crew app: block (max two minutes) until the desk marks the stage ready."""
    stage, http = request.path_params["stage"], request.app.state.http
    try:
        async with asyncio.timeout(120):
            while True:
                status = (await http.get(f"{STAGE_DESK}/stages/{stage}/changeover")).json()
                if status["state"] == "ready":
                    return JSONResponse({"stage": stage, "ready": True, "next_act": status["next_act"]})
                await asyncio.sleep(5)
    except TimeoutError:
        return JSONResponse({"stage": stage, "ready": False}, status_code=202)


app = Starlette(
    routes=[
        Route("/days/{day}/tickets", tickets),
        Route("/days/{day}/running-order", running_order),
        Route("/banners", banners),
        Route("/stages/{stage}/changeover/wait", wait_for_changeover),
    ],
    lifespan=lifespan,
)
