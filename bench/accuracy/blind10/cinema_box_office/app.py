"""Box office HTTP API (aiohttp.web)."""
import asyncio
import os
import secrets

import asyncpg
from aiohttp import web
from redis import asyncio as aioredis

from . import ingest, notify
from .seating import SeatMap

DSN = os.environ.get("BOX_DSN", "postgresql://boxoffice@localhost/cinema")


async def on_startup(app: web.Application) -> None:
    app["redis"] = aioredis.from_url("redis://localhost/2", decode_responses=True)
    app["pool"] = await asyncpg.create_pool(DSN, max_size=8)
    app["seats"] = SeatMap(app["redis"])
    app["smtp_password"] = os.environ["SMTP_PASSWORD"]


async def on_cleanup(app: web.Application) -> None:
    await app["pool"].close()
    await app["redis"].aclose()


async def hold(request: web.Request) -> web.Response:
    screening_id = int(request.match_info["screening_id"])
    body = await request.json()
    basket = body.get("basket") or secrets.token_urlsafe(12)
    ok = await request.app["seats"].hold_seats(screening_id, body["seats"], basket)
    if not ok:
        return web.json_response({"error": "seats no longer available"}, status=409)
    return web.json_response({"basket": basket, "hold_seconds": 420})


async def checkout(request: web.Request) -> web.Response:
    body = await request.json()
    ref = secrets.token_hex(4).upper()
    async with request.app["pool"].acquire() as conn:
        async with conn.transaction():
            order = await conn.fetchrow(
                "INSERT INTO orders (ref, screening_id, email, seats, payment_id) VALUES ($1, $2, $3, $4, $5) "
                "RETURNING ref, email, seats, (SELECT film FROM screenings WHERE id = $2) AS film, "
                "(SELECT starts_at FROM screenings WHERE id = $2) AS starts_at, "
                "(SELECT screen FROM screenings WHERE id = $2) AS screen",
                ref, body["screening_id"], body["email"], body["seats"], body["payment_id"],
            )
    await request.app["seats"].release_basket(body["screening_id"], body["basket"])
    notify.send_tickets(request.app["smtp_password"], order)  # bug: ADC201
    return web.json_response({"ref": ref}, status=201)


async def resend(request: web.Request) -> web.Response:
    order = await request.app["pool"].fetchrow(
        "SELECT o.ref, o.email, o.seats, s.film, s.starts_at, s.screen FROM orders o "
        "JOIN screenings s ON s.id = o.screening_id WHERE o.ref = $1",
        request.match_info["ref"],
    )
    if order is None:
        raise web.HTTPNotFound()
    await notify.send_tickets(request.app["smtp_password"], order)
    return web.json_response({"sent": True})


async def ingest_check(request: web.Request) -> web.Response:
    path = (await request.json())["path"]
    duration = await asyncio.to_thread(ingest.probe_duration, path)
    return web.json_response({"path": path, "seconds": duration})


async def ingest_trailer(request: web.Request) -> web.Response:
    body = await request.json()
    duration = ingest.probe_duration(body["path"])  # bug: ADC101
    if duration > 240:
        return web.json_response({"error": "longer than a trailer slot"}, status=422)
    screens = [s for s in body.get("screens", [1, 2, 3]) if s in ingest.SCREEN_SERVERS]
    await asyncio.gather(*(ingest.copy_to_screen(body["path"], s) for s in screens))
    return web.json_response({"seconds": duration, "screens": screens})


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_post("/screenings/{screening_id}/holds", hold)
    app.router.add_post("/checkout", checkout)
    app.router.add_post("/orders/{ref}/resend", resend)
    app.router.add_post("/ingest/check", ingest_check)
    app.router.add_post("/ingest/trailers", ingest_trailer)
    return app
