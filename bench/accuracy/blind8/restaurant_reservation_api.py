"""Reservation API for a small group of restaurants (aiohttp.web + asyncpg).

Bookings take a table in one transaction, send an SMS confirmation through
the SMS gateway and show up on the host stand's tablet via a Redis stream.
"""
from __future__ import annotations

import os
from datetime import datetime

import aiohttp
import asyncpg
import redis.asyncio as aioredis
from aiohttp import web

SMS_URL = os.environ.get("SMS_URL", "https://sms.gateway.example/v1/messages")
SMS_HEADERS = {"Authorization": f"Key {os.environ.get('SMS_KEY', '')}"}

routes = web.RouteTableDef()


async def notify_host(app: web.Application, restaurant_id: int, payload: dict) -> None:
    await app["redis"].xadd(f"host-stand:{restaurant_id}", {k: str(v) for k, v in payload.items()},
                            maxlen=1000, approximate=True)


@routes.post("/restaurants/{rid}/bookings")
async def create_booking(request: web.Request) -> web.Response:
    rid = int(request.match_info["rid"])
    body = await request.json()
    at = datetime.fromisoformat(body["at"])
    async with request.app["pool"].acquire() as conn, conn.transaction():
        table = await conn.fetchrow(
            "SELECT id FROM tables WHERE restaurant_id = $1 AND seats >= $2 AND id NOT IN "
            "(SELECT table_id FROM bookings WHERE at = $3) ORDER BY seats LIMIT 1 FOR UPDATE SKIP LOCKED",
            rid, body["party"], at)
        if table is None:
            raise web.HTTPConflict(text="fully booked")
        booking_id = await conn.fetchval(
            "INSERT INTO bookings (table_id, at, party, name, phone) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            table["id"], at, body["party"], body["name"], body["phone"])
        await conn.execute("INSERT INTO booking_log (booking_id, action) VALUES ($1, 'created')", booking_id)
    async with aiohttp.ClientSession(headers=SMS_HEADERS) as sms:  # bug: ADC402
        async with sms.post(SMS_URL, json={"to": body["phone"],
                                           "text": f"Table for {body['party']} on {at:%d %b at %H:%M}. "
                                                   f"Reply C to cancel."}) as resp:
            resp.raise_for_status()
            sms_id = (await resp.json())["id"]
    notify_host(request.app, rid, {"booking": booking_id, "at": at.isoformat(), "sms": sms_id})  # bug: ADC201
    return web.json_response({"booking": booking_id, "table": table["id"]}, status=201)


@routes.delete("/restaurants/{rid}/bookings/{bid}")
async def cancel_booking(request: web.Request) -> web.Response:
    rid, bid = int(request.match_info["rid"]), int(request.match_info["bid"])
    async with request.app["pool"].acquire() as conn, conn.transaction():
        phone = await conn.fetchval("DELETE FROM bookings WHERE id = $1 RETURNING phone", bid)
        if phone is None:
            raise web.HTTPNotFound()
        await conn.execute("INSERT INTO booking_log (booking_id, action) VALUES ($1, 'cancelled')", bid)
    async with request.app["http"].post(SMS_URL, json={"to": phone, "text": "Your booking is cancelled."},
                                        headers=SMS_HEADERS) as resp:
        resp.raise_for_status()
        sms_id = (await resp.json())["id"]
    await notify_host(request.app, rid, {"booking": bid, "cancelled": 1, "sms": sms_id})
    return web.json_response({"cancelled": bid})


async def resources(app: web.Application):
    app["pool"] = await asyncpg.create_pool(os.environ["RESERVATIONS_DSN"])
    app["redis"] = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost"))
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    yield
    await app["http"].close()
    await app["redis"].aclose()
    await app["pool"].close()


def make_app() -> web.Application:
    app = web.Application()
    app.add_routes(routes)
    app.cleanup_ctx.append(resources)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8080)
