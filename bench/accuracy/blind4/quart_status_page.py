import asyncio
import os

import asyncpg
from quart import Quart, jsonify

app = Quart(__name__)
DSN = os.environ["DATABASE_URL"]

_state = {"warm": False}


@app.before_serving
async def startup():
    app.pool = await asyncpg.create_pool(DSN, min_size=1, max_size=5)
    app.bg = asyncio.create_task(_warm_cache())


@app.after_serving
async def shutdown():
    app.bg.cancel()
    await app.pool.close()


async def _warm_cache():
    async with app.pool.acquire() as conn:
        app.components = await conn.fetch("SELECT id, name FROM components ORDER BY id")
    _state["warm"] = True


@app.get("/status")
async def status():
    while not _state["warm"]:  # bug: ADC503
        await asyncio.sleep(0.05)
    async with app.pool.acquire() as conn:
        incidents = await conn.fetch("SELECT component_id, level FROM incidents WHERE open")
    return jsonify(components=[dict(c) for c in app.components], incidents=[dict(i) for i in incidents])


@app.get("/status/version")
async def version():
    proc = await asyncio.create_subprocess_exec(
        "git", "rev-parse", "--short", "HEAD", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return jsonify(version=out.decode().strip())


@app.get("/status/history/<int:component_id>")
async def history(component_id: int):
    conn = await asyncpg.connect(DSN)  # bug: ADC401, ADC402
    rows = await conn.fetch(
        "SELECT day, uptime FROM uptime_daily WHERE component_id = $1 ORDER BY day DESC LIMIT 90",
        component_id,
    )
    return jsonify([dict(r) for r in rows])
