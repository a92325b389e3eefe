"""Pilotage bookings (aiohttp.web)."""
import asyncio
import contextlib
import datetime as dt
import os

import aiohttp
import asyncpg
import redis.asyncio as aioredis
from aiohttp import web

from . import ais, board, tides

DB_DSN = os.environ.get("PILOTAGE_DSN", "postgresql://pilots@localhost/pilotage")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")


async def request_pilot(request: web.Request) -> web.Response:
    body = await request.json()
    eta = dt.datetime.fromisoformat(body["eta"])
    if body["draught_m"] > 6:
        window = await tides.window_for(body["draught_m"], eta)
    else:
        window = (eta, eta + dt.timedelta(hours=6))
    if window is None:
        return web.json_response({"error": "no tidal window in the next 12 hours"}, status=409)
    pilotage = dict(await request.app["pool"].fetchrow(
        "INSERT INTO pilotages (mmsi, ship, draught_m, eta, window_start, window_end, status)"
        " VALUES ($1, $2, $3, $4, $5, $6, 'booked') RETURNING *",
        body["mmsi"], body["ship"], body["draught_m"], eta, window[0], window[1],
    ))
    board.announce(request.app["redis"], "booked", pilotage)  # bug: ADC201
    return web.json_response({"id": pilotage["id"], "window": [w.isoformat() for w in window]}, status=201)


async def cancel_pilot(request: web.Request) -> web.Response:
    pilotage_id = int(request.match_info["id"])
    status = await request.app["pool"].execute(
        "UPDATE pilotages SET status = 'cancelled' WHERE id = $1 AND status = 'booked'", pilotage_id
    )
    if status.endswith(" 0"):
        raise web.HTTPNotFound()
    await board.withdraw(request.app["redis"], pilotage_id)
    return web.json_response({"id": pilotage_id, "status": "cancelled"})


async def tide_today(request: web.Request) -> web.Response:
    heights = await tides.tide_table(request.app["http"], dt.date.today())
    return web.json_response(heights)


async def resources(app: web.Application):
    app["pool"] = await asyncpg.create_pool(DB_DSN, max_size=6)
    app["redis"] = aioredis.from_url(REDIS_URL)
    app["http"] = aiohttp.ClientSession()
    app["ais"] = asyncio.create_task(ais.follow(app["pool"]))
    yield
    app["ais"].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app["ais"]
    await app["http"].close()
    await app["redis"].aclose()
    await app["pool"].close()


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/pilotages", request_pilot)
    app.router.add_post("/pilotages/{id}/cancel", cancel_pilot)
    app.router.add_get("/tides/today", tide_today)
    app.cleanup_ctx.append(resources)
    return app
