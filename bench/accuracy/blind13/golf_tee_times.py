"""Tee sheet API for Hawthorn Links golf club (Litestar, PostgreSQL).

Members book four-ball tee times from the club app. On winter mornings the
head greenkeeper can declare a frost delay, which pushes every tee time of
the morning back and texts the players.
"""
from __future__ import annotations

import os
from contextlib import asynccontextmanager
from datetime import date, timedelta

import asyncpg
import httpx
from litestar import Litestar, get, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from pydantic import BaseModel

DSN = os.environ.get("HAWTHORN_DSN", "postgresql://teesheet@db/hawthorn")
SMS_API = "https://api.textlocal-like.example/v2"


class BookingIn(BaseModel):
    slot_id: int
    member_ids: list[int]


class FrostDelay(BaseModel):
    day: date
    minutes: int


@asynccontextmanager
async def lifespan(app: Litestar):
    app.state.pool = await asyncpg.create_pool(DSN, max_size=10)
    app.state.sms = httpx.AsyncClient(base_url=SMS_API, headers={"apikey": os.environ["SMS_KEY"]}, timeout=10)
    try:
        yield
    finally:
        await app.state.sms.aclose()
        await app.state.pool.close()


async def send_sms(client: httpx.AsyncClient, phone: str, text: str) -> None:
    resp = await client.post("/send", json={"numbers": [phone], "sender": "HAWTHORN", "message": text})
    resp.raise_for_status()


@get("/tee-sheet/{day:date}")
async def tee_sheet(day: date, state: State) -> list[dict]:
    rows = await state.pool.fetch(
        "SELECT t.id, t.starts, count(p.member_id) AS players FROM tee_times t"
        " LEFT JOIN bookings b ON b.slot_id = t.id LEFT JOIN booking_players p ON p.booking_id = b.id"
        " WHERE t.starts::date = $1 GROUP BY t.id ORDER BY t.starts",
        day,
    )
    return [{"slot": r["id"], "starts": r["starts"].isoformat(), "free": 4 - r["players"]} for r in rows]


@post("/bookings")
async def book(data: BookingIn) -> dict:
    if not 1 <= len(data.member_ids) <= 4:
        raise HTTPException(status_code=422, detail="one to four players")
    conn = await asyncpg.connect(DSN)  # bug: ADC402
    try:
        async with conn.transaction():
            starts = await conn.fetchval("SELECT starts FROM tee_times WHERE id = $1 FOR UPDATE", data.slot_id)
            if starts is None:
                raise HTTPException(status_code=404, detail="no such tee time")
            taken = await conn.fetchval(
                "SELECT count(*) FROM booking_players p JOIN bookings b ON b.id = p.booking_id WHERE b.slot_id = $1",
                data.slot_id,
            )
            if taken + len(data.member_ids) > 4:
                raise HTTPException(status_code=409, detail="not enough places left")
            booking_id = await conn.fetchval("INSERT INTO bookings (slot_id) VALUES ($1) RETURNING id", data.slot_id)
            await conn.executemany(
                "INSERT INTO booking_players (booking_id, member_id) VALUES ($1, $2)",
                [(booking_id, m) for m in data.member_ids],
            )
    finally:
        await conn.close()
    return {"booking": booking_id, "starts": starts.isoformat()}


@post("/frost-delay")
async def frost_delay(data: FrostDelay, state: State) -> dict:
    shift = timedelta(minutes=data.minutes)
    async with state.pool.acquire() as conn, conn.transaction():
        # Latest first, so that no shifted time collides with one not yet moved.
        slots = await conn.fetch(
            "SELECT id FROM tee_times WHERE starts::date = $1 AND starts::time < '12:00' ORDER BY starts DESC",
            data.day,
        )
        for slot in slots:
            await conn.execute("UPDATE tee_times SET starts = starts + $2 WHERE id = $1", slot["id"], shift)
        players = await conn.fetch(
            "SELECT m.mobile, t.starts FROM tee_times t JOIN bookings b ON b.slot_id = t.id"
            " JOIN booking_players p ON p.booking_id = b.id JOIN members m ON m.id = p.member_id"
            " WHERE t.id = ANY($1::int[]) AND m.mobile IS NOT NULL",
            [s["id"] for s in slots],
        )
    for player in players:
        text = f"Frost delay: your tee time is now {player['starts']:%H:%M}. Hawthorn Links"
        await send_sms(state.sms, player["mobile"], text)  # bug: ADC501
    return {"moved": len(slots), "texted": len(players)}


app = Litestar(route_handlers=[tee_sheet, book, frost_delay], lifespan=[lifespan])
