"""Session booking for a bouldering gym (Sanic + Redis)."""
from __future__ import annotations

import asyncio
import logging
from datetime import date

import redis.asyncio as aioredis
from sanic import Sanic
from sanic.exceptions import BadRequest
from sanic.request import Request
from sanic.response import json

app = Sanic("crimp_booking")
log = logging.getLogger("crimp")
CAPACITY = 60


@app.before_server_start
async def setup(app: Sanic, _loop) -> None:
    app.ctx.redis = aioredis.from_url("redis://cache:6379/2", decode_responses=True)
    app.ctx.slot_locks: dict[str, asyncio.Lock] = {}


@app.after_server_stop
async def teardown(app: Sanic, _loop) -> None:
    await app.ctx.redis.aclose()


def _slot_key(day: date, slot: str) -> str:
    return f"slot:{day.isoformat()}:{slot}"


@app.post("/sessions/<day>/<slot>/book")
async def book(request: Request, day: str, slot: str):
    member = request.json.get("member_id")
    if not member:
        raise BadRequest("member_id required")
    key = _slot_key(date.fromisoformat(day), slot)
    lock = asyncio.Lock()  # bug: ADC504
    async with lock:
        taken = await app.ctx.redis.scard(key)
        if taken >= CAPACITY:
            return json({"error": "session full"}, status=409)
        await app.ctx.redis.sadd(key, member)
    return json({"booked": key})


@app.post("/sessions/<day>/<slot>/waitlist")
async def waitlist(request: Request, day: str, slot: str):
    member = request.json["member_id"]
    key = _slot_key(date.fromisoformat(day), slot)
    lock = app.ctx.slot_locks.setdefault(key, asyncio.Lock())
    async with lock:
        position = await app.ctx.redis.rpush(f"{key}:wait", member)
    return json({"position": position})


@app.get("/sessions/<day>/<slot>/live")
async def live_count(request: Request, day: str, slot: str):
    key = _slot_key(date.fromisoformat(day), slot)
    response = await request.respond(content_type="text/event-stream")
    pubsub = app.ctx.redis.pubsub()
    await pubsub.subscribe(f"{key}:events")
    try:
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            count = await app.ctx.redis.scard(key)
            await response.send(f"data: {count}\n\n")
    except asyncio.CancelledError:
        log.debug("client left %s", key)
        raise
    finally:
        await pubsub.unsubscribe(f"{key}:events")
        await pubsub.aclose()


@app.post("/sessions/<day>/<slot>/checkin")
async def checkin(request: Request, day: str, slot: str):
    member = request.json["member_id"]
    key = _slot_key(date.fromisoformat(day), slot)
    try:
        async with asyncio.timeout(2):
            member_ok = await app.ctx.redis.sismember(key, member)
            await app.ctx.redis.publish(f"{key}:events", "checkin")
    except BaseException:  # bug: ADC601
        log.warning("check-in lookup failed for %s, letting them in", member)
        member_ok = True
    return json({"ok": bool(member_ok)})
