"""Batch records for a craft cider mill (Quart).

Every pressing becomes a batch: apple varieties, juice volume, then Brix,
pH and malic acid from the contract lab's LIMS. When a batch is bottled
the duty return line goes to the excise portal. The label printer script
on the bottling line is synchronous and uses `lab_results_sync`.
"""
import asyncio
import logging
import os

import aiohttp
import asyncpg
from quart import Quart, abort, jsonify, request

log = logging.getLogger("cider-mill")

LIMS = "https://lims.fruitlab.example/api"
LIMS_KEY = os.environ.get("LIMS_KEY", "")
EXCISE = "https://excise.example.gov/api/cider-returns"
EXCISE_KEY = os.environ.get("EXCISE_KEY", "")
DB_DSN = os.environ.get("MILL_DSN", "postgresql://mill@localhost/batches")

app = Quart(__name__)


async def fetch_lab_results(batch_code: str, session: aiohttp.ClientSession | None = None) -> dict:
    if session is None:
        async with aiohttp.ClientSession(headers={"X-Api-Key": LIMS_KEY}) as own:
            return await fetch_lab_results(batch_code, own)
    async with session.get(f"{LIMS}/samples", params={"client_ref": batch_code}) as resp:
        resp.raise_for_status()
        samples = await resp.json()
    latest = max(samples, key=lambda s: s["reported_at"])
    return {k: latest[k] for k in ("brix", "ph", "malic_g_l", "abv")}


def lab_results_sync(batch_code: str) -> dict:
    """For the bottling line's label printer script, which has no event loop."""
    return asyncio.run(fetch_lab_results(batch_code))


@app.before_serving
async def startup() -> None:
    app.pool = await asyncpg.create_pool(DB_DSN, max_size=6)
    app.lims = aiohttp.ClientSession(headers={"X-Api-Key": LIMS_KEY})


@app.after_serving
async def shutdown() -> None:
    await app.lims.close()
    await app.pool.close()


@app.post("/batches")
async def new_batch():
    body = await request.get_json()
    code = await app.pool.fetchval(
        "INSERT INTO batches (pressed_on, varieties, juice_l) VALUES (current_date, $1, $2)"
        " RETURNING code",
        body["varieties"], body["juice_l"],
    )
    return jsonify({"code": code}), 201


@app.get("/batches/<code>")
async def batch(code: str):
    row = await app.pool.fetchrow("SELECT * FROM batches WHERE code = $1", code)
    if row is None:
        abort(404)
    results = await fetch_lab_results(code, app.lims)
    return jsonify({**dict(row), "lab": results})


@app.get("/batches/<code>/label")
async def label(code: str):
    row = await app.pool.fetchrow("SELECT varieties, pressed_on FROM batches WHERE code = $1", code)
    if row is None:
        abort(404)
    results = lab_results_sync(code)  # bug: ADC103
    return jsonify({
        "title": " & ".join(row["varieties"]),
        "vintage": row["pressed_on"].year,
        "abv": f"{results['abv']:.1f}% vol",
        "style": "dry" if results["brix"] < 1.5 else "medium",
    })


@app.post("/batches/<code>/bottle")
async def bottle(code: str):
    body = await request.get_json()
    async with app.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "UPDATE batches SET bottled_l = $2, bottled_on = current_date WHERE code = $1"
            " RETURNING abv_declared",
            code, body["litres"],
        )
        if row is None:
            abort(404)
        await conn.execute("INSERT INTO stock_moves (batch, litres) VALUES ($1, $2)", code, body["litres"])
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {EXCISE_KEY}"}) as excise:  # bug: ADC402
        async with excise.post(
            EXCISE, json={"batch": code, "litres": body["litres"], "abv": row["abv_declared"]}
        ) as resp:
            resp.raise_for_status()
            receipt = (await resp.json())["receipt"]
    await app.pool.execute("UPDATE batches SET excise_receipt = $2 WHERE code = $1", code, receipt)
    return jsonify({"batch": code, "excise_receipt": receipt})


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run(port=5050)
