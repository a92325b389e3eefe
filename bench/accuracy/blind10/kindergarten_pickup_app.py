"""Kindergarten pick-up: guardians enter a PIN on the gate tablet, the room
teacher confirms, the parent gets a push notification."""
import asyncio
import logging
import os
from collections import defaultdict
from contextlib import asynccontextmanager

import asyncpg
import bcrypt
import httpx
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

log = logging.getLogger("pickup")

DSN = os.environ.get("KITA_DSN", "postgresql://kita@db/kita")
PUSH_URL = "https://push.kita-app.example/v1/notify"
BCRYPT_ROUNDS = 12


class PickupRequest(BaseModel):
    child_id: int
    guardian_id: int
    pin: str


class Enrolment(BaseModel):
    guardian_id: int
    pin: str


def _pin_matches(pin: str, stored_hash: bytes) -> bool:
    return bcrypt.checkpw(pin.encode(), stored_hash)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DSN, max_size=5)
    app.state.push = httpx.AsyncClient(timeout=10, headers={"Authorization": f"Key {os.environ['PUSH_KEY']}"})
    app.state.room_locks = defaultdict(asyncio.Lock)
    app.state.pending = set()
    yield
    await app.state.push.aclose()
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/guardians/pin")
async def set_pin(body: Enrolment, request: Request):
    hashed = await asyncio.to_thread(bcrypt.hashpw, body.pin.encode(), bcrypt.gensalt(BCRYPT_ROUNDS))
    await request.app.state.pool.execute("UPDATE guardians SET pin_hash = $1 WHERE id = $2", hashed, body.guardian_id)
    return {"ok": True}


@app.post("/pickups")
async def pickup(body: PickupRequest, request: Request):
    pool = request.app.state.pool
    g = await pool.fetchrow(
        "SELECT g.pin_hash, g.name, a.child_id FROM guardians g "
        "JOIN authorised_pickups a ON a.guardian_id = g.id WHERE g.id = $1 AND a.child_id = $2",
        body.guardian_id, body.child_id,
    )
    if g is None or not _pin_matches(body.pin, g["pin_hash"]):  # bug: ADC101
        raise HTTPException(403, "not authorised for this child")
    async with asyncio.Lock():  # bug: ADC504
        child = await pool.fetchrow("SELECT name, room, collected_at FROM children WHERE id = $1", body.child_id)
        if child["collected_at"] is not None:
            raise HTTPException(409, f"{child['name']} has already been collected")
        await pool.execute(
            "UPDATE children SET collected_at = now(), collected_by = $1 WHERE id = $2",
            body.guardian_id, body.child_id,
        )
    t = asyncio.create_task(notify_parents(request.app, body.child_id, f"{child['name']} collected by {g['name']}"))
    request.app.state.pending.add(t)
    t.add_done_callback(request.app.state.pending.discard)
    return {"child": child["name"], "room": child["room"]}


@app.post("/rooms/{room}/roll-call")
async def roll_call(room: str, request: Request):
    async with request.app.state.room_locks[room]:
        rows = await request.app.state.pool.fetch(
            "SELECT id, name FROM children WHERE room = $1 AND collected_at IS NULL AND present_today", room
        )
    return {"room": room, "still_here": [r["name"] for r in rows]}


async def notify_parents(app, child_id: int, text: str) -> None:
    tokens = await app.state.pool.fetch("SELECT push_token FROM guardians g JOIN authorised_pickups a "
                                        "ON a.guardian_id = g.id WHERE a.child_id = $1", child_id)
    resp = await app.state.push.post(PUSH_URL, json={"tokens": [r["push_token"] for r in tokens], "body": text})
    if resp.is_error:
        log.warning("push failed for child %s: %s", child_id, resp.status_code)
