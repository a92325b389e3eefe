"""Reservations for an alpine club's mountain huts (Litestar).

Walkers book dormitory places for a night; club members get the member
rate after their membership number is checked with the federation's API.
Availability is cached in Redis because the booking widget on the huts'
pages polls it. Wardens download the night's guest list as CSV.
"""
import datetime as dt
import logging
import os

import asyncpg
import httpx
import redis.asyncio as aioredis
from litestar import Litestar, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import ClientException, NotFoundException

log = logging.getLogger("huts")

DB_DSN = os.environ.get("HUTS_DSN", "postgresql://huts@localhost/reservations")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/4")
FEDERATION = "https://members.alpine-federation.example/api/v1"
CACHE_S = 60


async def on_startup(app: Litestar) -> None:
    app.state.pool = await asyncpg.create_pool(DB_DSN, max_size=10)
    app.state.federation = httpx.AsyncClient(base_url=FEDERATION, timeout=8)
    app.state.closed_huts = set()
    listener = await asyncpg.connect(DB_DSN)  # bug: ADC401
    await listener.add_listener(
        "hut_closures", lambda _conn, _pid, _channel, payload: app.state.closed_huts.add(int(payload))
    )


async def on_shutdown(app: Litestar) -> None:
    await app.state.federation.aclose()
    await app.state.pool.close()


@get("/huts/{hut_id:int}/availability")
async def availability(hut_id: int, night: dt.date, state: State) -> dict:
    cache = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)  # bug: ADC402
    try:
        key = f"avail:{hut_id}:{night.isoformat()}"
        cached = await cache.get(key)
        if hut_id in state.closed_huts:
            return {"hut": hut_id, "night": night, "free": 0, "closed": True}
        if cached is not None:
            return {"hut": hut_id, "night": night, "free": int(cached)}
        free = await state.pool.fetchval(
            "SELECT h.places - coalesce(sum(b.places), 0) FROM huts h"
            " LEFT JOIN bookings b ON b.hut_id = h.id AND b.night = $2"
            " WHERE h.id = $1 GROUP BY h.places",
            hut_id, night,
        )
        if free is None:
            raise NotFoundException("unknown hut")
        await cache.set(key, free, ex=CACHE_S)
        return {"hut": hut_id, "night": night, "free": free}
    finally:
        await cache.aclose()


@post("/huts/{hut_id:int}/bookings")
async def book(hut_id: int, data: dict, state: State) -> dict:
    rate = "standard"
    if data.get("member_no"):
        resp = await state.federation.get(f"/members/{data['member_no']}")
        if resp.status_code == 200 and resp.json()["status"] == "active":
            rate = "member"
    async with state.pool.acquire() as conn, conn.transaction():
        free = await conn.fetchval(
            "SELECT places - (SELECT coalesce(sum(places), 0) FROM bookings WHERE hut_id = $1 AND night = $2)"
            " FROM huts WHERE id = $1 FOR UPDATE",
            hut_id, data["night"],
        )
        if free is None or free < data["places"]:
            raise ClientException("not enough places")
        booking_id = await conn.fetchval(
            "INSERT INTO bookings (hut_id, night, places, name, rate) VALUES ($1, $2, $3, $4, $5)"
            " RETURNING id",
            hut_id, data["night"], data["places"], data["name"], rate,
        )
    return {"booking": booking_id, "rate": rate}


@get("/wardens/{hut_id:int}/guests.csv")
async def guest_list(hut_id: int, night: dt.date, state: State) -> Response:
    rows = await state.pool.fetch(
        "SELECT name, places, rate, arrival_note FROM bookings WHERE hut_id = $1 AND night = $2"
        " ORDER BY name",
        hut_id, night,
    )
    lines = ["name,places,rate,note"]
    lines += [f"{r['name']},{r['places']},{r['rate']},{(r['arrival_note'] or '').replace(',', ';')}" for r in rows]
    return Response("\n".join(lines), media_type="text/csv")


@get("/huts")
async def huts(state: State) -> list[dict]:
    rows = await state.pool.fetch("SELECT id, name, altitude_m, places FROM huts ORDER BY altitude_m")
    return [dict(r) for r in rows]


app = Litestar(
    route_handlers=[availability, book, guest_list, huts],
    on_startup=[on_startup],
    on_shutdown=[on_shutdown],
)
