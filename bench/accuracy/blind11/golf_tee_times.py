"""Tee sheet and competition draws for Larchwood Golf Club (Quart)."""
import os
from datetime import date, datetime, time, timedelta

import asyncpg
import httpx
from quart import Quart, abort, g, request

DSN = os.environ.get("TEE_DSN", "postgresql://tee@clubhouse-db/teesheet")
WHS = "https://handicaps.golf-union.example/api/v1"
FIRST_TEE = time(7, 30)
INTERVAL = timedelta(minutes=9)

app = Quart(__name__)


@app.before_serving
async def start_clients():
    app.whs = httpx.AsyncClient(
        base_url=WHS, headers={"X-Club-Key": os.environ.get("WHS_KEY", "")}, timeout=10
    )


@app.after_serving
async def stop_clients():
    await app.whs.aclose()


@app.before_request
async def open_db():
    g.db = await asyncpg.connect(DSN)  # bug: ADC402


@app.teardown_request
async def close_db(exc):
    db = g.pop("db", None)
    if db is not None:
        await db.close()


async def handicap_index(whs_id: str) -> float:
    resp = await app.whs.get(f"/golfers/{whs_id}/index")
    resp.raise_for_status()
    return resp.json()["handicap_index"]


@app.get("/tee-sheet/<day>")
async def tee_sheet(day: str):
    rows = await g.db.fetch(
        "select tee_time, array_agg(name order by name) as players from tee_players"
        " where day = $1 group by tee_time order by tee_time",
        date.fromisoformat(day),
    )
    return {"day": day, "times": [{"time": r["tee_time"].isoformat(), "players": r["players"]} for r in rows]}


@app.post("/tee-sheet/<day>/book")
async def book(day: str):
    body = await request.get_json()
    when, tee = date.fromisoformat(day), time.fromisoformat(body["time"])
    async with g.db.transaction():
        await g.db.execute("select pg_advisory_xact_lock(hashtext($1 || $2))", day, body["time"])
        taken = await g.db.fetchval(
            "select count(*) from tee_players where day = $1 and tee_time = $2", when, tee
        )
        if taken + len(body["players"]) > 4:
            abort(409, "not enough places left on that tee time")
        await g.db.executemany(
            "insert into tee_players (day, tee_time, name) values ($1, $2, $3)",
            [(when, tee, name) for name in body["players"]],
        )
    return {"day": day, "time": body["time"], "players": body["players"]}


@app.post("/competitions/<int:comp_id>/draw")
async def draw(comp_id: int):
    comp = await g.db.fetchrow(
        "select day, slope, course_rating, par from competitions where id = $1", comp_id
    )
    if comp is None:
        abort(404)
    entrants = await g.db.fetch(
        "select member_id, name, whs_id from entries where competition_id = $1", comp_id
    )
    playing = {}
    for e in entrants:
        index = await handicap_index(e["whs_id"])  # bug: ADC501
        playing[e["member_id"]] = round(index * comp["slope"] / 113 + comp["course_rating"] - comp["par"])
    ordered = sorted(entrants, key=lambda e: playing[e["member_id"]], reverse=True)
    slot = datetime.combine(comp["day"], FIRST_TEE)
    rows = []
    for i in range(0, len(ordered), 3):
        rows += [(comp_id, comp["day"], slot.time(), e["name"]) for e in ordered[i:i + 3]]
        slot += INTERVAL
    async with g.db.transaction():
        await g.db.execute("delete from tee_players where competition_id = $1", comp_id)
        await g.db.executemany(
            "insert into tee_players (competition_id, day, tee_time, name) values ($1, $2, $3, $4)", rows
        )
    return {"competition": comp_id, "groups": (len(ordered) + 2) // 3}
