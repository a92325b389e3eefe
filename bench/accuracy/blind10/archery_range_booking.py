"""Archery club range booking (Sanic, one worker): lanes on the indoor,
field and clout ranges, a wind check for the outdoor ones, and a live
availability stream for the clubhouse screen."""
import asyncio
import json
import logging
import os
from collections import defaultdict

import asyncpg
import httpx
from sanic import Sanic
from sanic.response import json as json_response

log = logging.getLogger("archery")
app = Sanic("archery")

RANGES = ("indoor", "field", "clout")
LANES = {"indoor": 12, "field": 8, "clout": 4}
CLUB_LATLON = (52.62, -1.14)


@app.before_server_start
async def setup(app: Sanic, _) -> None:
    app.ctx.pool = await asyncpg.create_pool(os.environ["ARCHERY_DSN"], max_size=4)
    app.ctx.http = httpx.AsyncClient(timeout=8)
    app.ctx.lane_locks = defaultdict(asyncio.Lock)
    app.ctx.changes = asyncio.Condition()


@app.after_server_stop
async def teardown(app: Sanic, _) -> None:
    await app.ctx.http.aclose()
    await app.ctx.pool.close()


async def gusts_kph(http: httpx.AsyncClient, start: str) -> float:
    resp = await http.get("https://api.open-meteo.com/v1/forecast", params={
        "latitude": CLUB_LATLON[0], "longitude": CLUB_LATLON[1], "hourly": "wind_gusts_10m", "start_hour": start[:13] + ":00", "end_hour": start[:13] + ":00"})
    resp.raise_for_status()
    return max(resp.json()["hourly"]["wind_gusts_10m"])


async def free_lanes(pool: asyncpg.Pool, range_: str, day: str) -> int:
    taken = await pool.fetchval("SELECT count(DISTINCT lane) FROM bookings WHERE range = $1 AND day = $2::date", range_, day)
    return LANES[range_] - taken


@app.post("/bookings")
async def book(request):
    b = request.json
    wind = asyncio.create_task(gusts_kph(request.app.ctx.http, b["start"])) if b["range"] != "indoor" else None
    try:
        async with request.app.ctx.lane_locks[(b["range"], b["lane"], b["start"][:10])]:
            clash = await request.app.ctx.pool.fetchval(
                "SELECT 1 FROM bookings WHERE range = $1 AND lane = $2 AND tstzrange(start_at, end_at) && tstzrange($3::timestamptz, $4::timestamptz)",
                b["range"], b["lane"], b["start"], b["end"],
            )
            if clash:
                return json_response({"error": "lane already booked"}, status=409)
            booking_id = await request.app.ctx.pool.fetchval(
                "INSERT INTO bookings (member_id, range, lane, day, start_at, end_at) "
                "VALUES ($1, $2, $3, $4::timestamptz::date, $4::timestamptz, $5::timestamptz) RETURNING id",
                b["member_id"], b["range"], b["lane"], b["start"], b["end"],
            )
        try:
            gusts = await wind if wind else None
        except httpx.HTTPError:
            gusts = None
    finally:
        if wind and not wind.done():
            wind.cancel()
    async with request.app.ctx.changes:
        request.app.ctx.changes.notify_all()
    return json_response({"id": booking_id, "gusts_kph": gusts, "wind_warning": bool(gusts and gusts > 40)}, status=201)


@app.get("/availability")
async def availability(request):
    day = request.args.get("day")
    counts = await asyncio.gather(*(free_lanes(request.app.ctx.pool, r, day) for r in RANGES))
    return json_response(dict(zip(RANGES, counts)))


@app.get("/availability/stream")
async def stream(request):
    day = request.args.get("day")
    response = await request.respond(content_type="text/event-stream")
    try:
        while True:
            counts = await asyncio.gather(*(free_lanes(request.app.ctx.pool, r, day) for r in RANGES))
            await response.send(f"data: {json.dumps(dict(zip(RANGES, counts)))}\n\n")
            async with request.app.ctx.changes:
                await request.app.ctx.changes.wait()
    except asyncio.CancelledError:
        log.info("clubhouse screen disconnected")
        raise


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, single_process=True)
