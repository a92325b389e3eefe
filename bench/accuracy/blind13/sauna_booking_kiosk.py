"""Booking kiosk and web booking for Kallio Pier public sauna (Quart).

Sessions last 90 minutes and have 14 places. Choosing a session holds the
places for five minutes in Redis while the guest pays at the card terminal.
When the terminal crashes, staff send SIGUSR2 to give every held place back.
"""
import asyncio
import logging
import os
import secrets
import signal
import time

import asyncpg
import redis.asyncio as redis
from quart import Quart, abort, jsonify, request

log = logging.getLogger("kallio")
app = Quart(__name__)
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/2")
PLACES = 14
HOLD_S = 300


def log_stats() -> None:
    log.info("requests served: %d", app.config.get("SERVED", 0))


async def release_holds(signum, frame) -> None:
    keys = [key async for key in app.redis.scan_iter(match="holds:*")]
    if keys:
        await app.redis.delete(*keys)
    log.warning("released all holds (%d sessions)", len(keys))


@app.before_serving
async def start() -> None:
    app.pool = await asyncpg.create_pool(os.environ["SAUNA_DSN"])
    app.redis = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, log_stats)
    signal.signal(signal.SIGUSR2, release_holds)  # bug: ADC202


@app.after_serving
async def stop() -> None:
    await app.redis.aclose()
    await app.pool.close()


@app.after_request
async def count(response):
    app.config["SERVED"] = app.config.get("SERVED", 0) + 1
    return response


async def places_left(r: redis.Redis, session_id: int) -> int:
    sold = await app.pool.fetchval("SELECT coalesce(sum(places), 0) FROM tickets WHERE session_id = $1", session_id)
    now = time.time()
    held = 0
    for value in (await r.hvals(f"holds:{session_id}")):
        places, expires = value.split(":")
        if float(expires) > now:
            held += int(places)
    return PLACES - sold - held


@app.get("/sessions/<int:session_id>")
async def session_info(session_id: int):
    row = await app.pool.fetchrow("SELECT starts, kind FROM sessions WHERE id = $1", session_id)
    if row is None:
        abort(404)
    return jsonify(starts=row["starts"].isoformat(), kind=row["kind"], left=await places_left(app.redis, session_id))


@app.post("/sessions/<int:session_id>/hold")
async def hold(session_id: int):
    places = int((await request.get_json())["places"])
    r = redis.Redis.from_url(REDIS_URL, decode_responses=True)  # bug: ADC402
    try:
        async with r.lock(f"lock:session:{session_id}", timeout=5, blocking_timeout=3):
            if await places_left(r, session_id) < places:
                abort(409)
            hold_id = secrets.token_hex(8)
            await r.hset(f"holds:{session_id}", hold_id, f"{places}:{time.time() + HOLD_S}")
            await r.expire(f"holds:{session_id}", 4 * 3600)
    finally:
        await r.aclose()
    return jsonify(hold=hold_id, expires_in=HOLD_S)


@app.post("/sessions/<int:session_id>/holds/<hold_id>/confirm")
async def confirm(session_id: int, hold_id: str):
    body = await request.get_json()
    raw = await app.redis.hget(f"holds:{session_id}", hold_id)
    if raw is None:
        abort(410)
    places, expires = raw.split(":")
    if float(expires) < time.time():
        abort(410)
    ticket_id = await app.pool.fetchval(
        "INSERT INTO tickets (session_id, places, payment_ref) VALUES ($1, $2, $3) RETURNING id",
        session_id, int(places), body["payment_ref"],
    )
    await app.redis.hdel(f"holds:{session_id}", hold_id)
    return jsonify(ticket=ticket_id, places=int(places))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run(host="0.0.0.0", port=5050)
