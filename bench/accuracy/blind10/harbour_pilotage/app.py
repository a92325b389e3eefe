"""Vessel traffic desk (Quart): tidal windows and passage plans for inbound ships."""
import asyncio
import contextlib
import os
from datetime import datetime, timedelta

import asyncpg
import httpx
from quart import Quart, abort, jsonify

from . import roster, tides

DSN = os.environ.get("PILOTAGE_DSN", "postgresql://pilotage@db/harbour")
BOAT_FEED = os.environ.get("BOAT_FEED", "wss://tracking.harbour.example/pilot-boats")
CHANNEL_DEPTH_CD = 9.4  # metres below chart datum at the bar
SQUAT_ALLOWANCE = 0.6

app = Quart(__name__)


@app.before_serving
async def startup() -> None:
    app.pool = await asyncpg.create_pool(DSN, max_size=6)
    app.http = httpx.AsyncClient(headers=tides.HEADERS, timeout=15)
    app.boat_tracker = asyncio.create_task(roster.track_pilot_boats(app.pool, BOAT_FEED))


@app.after_serving
async def shutdown() -> None:
    app.boat_tracker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app.boat_tracker
    await app.http.aclose()
    await app.pool.close()


async def movement(movement_id: int):
    row = await app.pool.fetchrow(
        "SELECT id, vessel, draught_m, eta FROM movements WHERE id = $1", movement_id
    )
    if row is None:
        abort(404)
    return row


@app.get("/movements/<int:movement_id>/window")
async def tidal_window(movement_id: int):
    m = await movement(movement_id)
    highs = await tides.high_waters(app.http, tides.STATION)
    usable = []
    for hw in highs:
        at = datetime.fromisoformat(hw["DateTime"])
        clearance = CHANNEL_DEPTH_CD + float(hw["Height"]) - m["draught_m"] - SQUAT_ALLOWANCE
        if clearance >= 1.0:
            usable.append({"high_water": at.isoformat(), "ukc_m": round(clearance, 2)})
    return jsonify(vessel=m["vessel"], windows=usable)


@app.get("/movements/<int:movement_id>/plan")
async def passage_plan(movement_id: int):
    m = await movement(movement_id)
    at_bar = m["eta"] + timedelta(minutes=40)
    height = tides.height_at_sync(tides.STATION, at_bar)  # bug: ADC103
    ukc = CHANNEL_DEPTH_CD + height - m["draught_m"] - SQUAT_ALLOWANCE
    boarding = at_bar - timedelta(minutes=50)
    await app.pool.execute(
        "UPDATE movements SET planned_ukc_m = $1, pilot_boarding = $2 WHERE id = $3",
        ukc, boarding, movement_id,
    )
    return jsonify(vessel=m["vessel"], bar_crossing=at_bar.isoformat(), ukc_m=round(ukc, 2), go=ukc >= 1.0)


@app.get("/movements/<int:movement_id>/bar-now")
async def bar_now(movement_id: int):
    m = await movement(movement_id)
    height = await tides.height_at(app.http, tides.STATION, datetime.utcnow())
    return jsonify(vessel=m["vessel"], ukc_m=round(CHANNEL_DEPTH_CD + height - m["draught_m"], 2))
