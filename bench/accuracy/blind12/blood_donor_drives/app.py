"""Public and staff endpoints (Starlette)."""
import asyncio
import contextlib
import os

import asyncpg
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import geo, reminders

DB_DSN = os.environ.get("DONORS_DSN", "postgresql://donors@localhost/drives")


async def nearby(request: Request) -> JSONResponse:
    postcode = request.query_params["postcode"]
    lat, lon = geo.lookup_sync(postcode)  # bug: ADC103
    rows = await request.app.state.pool.fetch(
        "SELECT id, venue, day, opens, closes FROM drives WHERE day >= current_date"
        " ORDER BY earth_distance(ll_to_earth(lat, lon), ll_to_earth($1, $2)) LIMIT 10",
        lat, lon,
    )
    return JSONResponse([{**dict(r), "day": r["day"].isoformat()} for r in rows])


async def create_drive(request: Request) -> JSONResponse:
    body = await request.json()
    lat, lon = await geo.lookup(body["postcode"], request.app.state.http)
    drive_id = await request.app.state.pool.fetchval(
        "INSERT INTO drives (venue, day, opens, closes, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)"
        " RETURNING id",
        body["venue"], body["day"], body["opens"], body["closes"], lat, lon,
    )
    task = asyncio.create_task(
        reminders.run_campaign(drive_id, request.app.state.pool, request.app.state.http)
    )
    request.app.state.campaigns.add(task)
    task.add_done_callback(request.app.state.campaigns.discard)
    return JSONResponse({"drive": drive_id}, status_code=201)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    app.state.pool = await asyncpg.create_pool(DB_DSN, max_size=6)
    app.state.http = httpx.AsyncClient(timeout=15)
    app.state.campaigns = set()
    try:
        yield
    finally:
        await asyncio.gather(*app.state.campaigns, return_exceptions=True)
        await app.state.http.aclose()
        await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/drives/nearby", nearby),
        Route("/drives", create_drive, methods=["POST"]),
    ],
    lifespan=lifespan,
)
