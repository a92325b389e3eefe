"""Table time and the game library at The Meeple Room board game café.

A Sanic app behind the staff tablets. Table time is charged through the
café's point-of-sale cloud, which accepts at most two concurrent requests
per location and answers 429 beyond that.
"""
import asyncio
import logging
import os
from collections import defaultdict

import asyncpg
import httpx
from sanic import Sanic, json
from sanic.exceptions import NotFound, SanicException

log = logging.getLogger("meeple")
app = Sanic("meeple_room")
POS_API = "https://connect.pos-cloud.example/v2"
LOCATION = os.environ.get("POS_LOCATION", "LMEEPLE01")
COVER_PENCE = 500
TABLE_LOCKS: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)


@app.before_server_start
async def setup(app: Sanic, _) -> None:
    app.ctx.pool = await asyncpg.create_pool(os.environ["MEEPLE_DSN"])
    app.ctx.pos = httpx.AsyncClient(
        base_url=POS_API, headers={"Authorization": f"Bearer {os.environ['POS_TOKEN']}"}, timeout=10
    )
    app.ctx.sms = httpx.AsyncClient(
        base_url="https://sms.gateway.example/v1", auth=("meeple", os.environ["SMS_KEY"]), timeout=10
    )


@app.after_server_start
async def start_jobs(app: Sanic, _) -> None:
    app.add_task(restock_report(app), name="restock_report")


@app.after_server_stop
async def teardown(app: Sanic, _) -> None:
    await app.ctx.pos.aclose()
    await app.ctx.sms.aclose()
    await app.ctx.pool.close()


async def charge_table(pos: httpx.AsyncClient, session_id: int, guests: int) -> str:
    limit = asyncio.Semaphore(2)  # bug: ADC504
    async with limit:
        body = {
            "reference_id": f"table-{session_id}",
            "line_items": [{"name": "Table time", "quantity": str(guests), "price_pence": COVER_PENCE}],
        }
        resp = await pos.post(f"/locations/{LOCATION}/orders", json=body)
        resp.raise_for_status()
        return resp.json()["order"]["id"]


async def text_waitlist(app: Sanic, game_id: int, title: str) -> None:
    row = await app.ctx.pool.fetchrow(
        "DELETE FROM game_waitlist WHERE id = (SELECT id FROM game_waitlist WHERE game_id = $1"
        " ORDER BY joined LIMIT 1) RETURNING phone, table_no",
        game_id,
    )
    if row is not None:
        text = f"{title} is back on the shelf; we've set it aside for table {row['table_no']}."
        resp = await app.ctx.sms.post("/messages", json={"to": row["phone"], "body": text})
        resp.raise_for_status()


async def restock_report(app: Sanic) -> None:
    while True:
        missing = await app.ctx.pool.fetch("SELECT title FROM games WHERE pieces_missing > 0")
        if missing:
            log.info("games needing pieces: %s", ", ".join(r["title"] for r in missing))
        await asyncio.sleep(6 * 3600)


@app.post("/tables/<table:int>/seat")
async def seat(request, table: int):
    guests = int(request.json["guests"])
    async with TABLE_LOCKS[table]:
        busy = await app.ctx.pool.fetchval("SELECT 1 FROM table_sessions WHERE table_no = $1 AND ended IS NULL", table)
        if busy:
            raise SanicException("table already seated", status_code=409)
        session_id = await app.ctx.pool.fetchval(
            "INSERT INTO table_sessions (table_no, guests) VALUES ($1, $2) RETURNING id", table, guests
        )
    order_id = await charge_table(app.ctx.pos, session_id, guests)
    await app.ctx.pool.execute("UPDATE table_sessions SET pos_order = $2 WHERE id = $1", session_id, order_id)
    return json({"session": session_id, "order": order_id})


@app.post("/games/<game_id:int>/checkout")
async def checkout(request, game_id: int):
    table = int(request.json["table"])
    taken = await app.ctx.pool.fetchval(
        "UPDATE games SET on_table = $2 WHERE id = $1 AND on_table IS NULL RETURNING title", game_id, table
    )
    if taken is None:
        raise SanicException("game is out; join the waitlist", status_code=409)
    return json({"game": taken, "table": table})


@app.post("/games/<game_id:int>/return")
async def return_game(request, game_id: int):
    title = await app.ctx.pool.fetchval(
        "UPDATE games SET on_table = NULL, pieces_missing = $2 WHERE id = $1 RETURNING title",
        game_id, int(request.json.get("pieces_missing", 0)),
    )
    if title is None:
        raise NotFound("no such game")
    asyncio.create_task(text_waitlist(app, game_id, title))  # bug: ADC301
    return json({"returned": title})
