"""Citizen portal for appealing parking penalty charge notices (Quart)."""
from __future__ import annotations

import asyncio
import os
from datetime import date

import asyncpg
import httpx
from quart import Quart, abort, jsonify, request

app = Quart(__name__)
DSN = os.environ.get("PCN_DSN", "postgresql://pcn@db/pcn")
REPORTING_DSN = os.environ.get("PCN_REPORTING_DSN", DSN)
EVIDENCE_API = "https://evidence.council.example/api"


async def _dvla_keeper(vrm: str) -> dict:
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.post(
            "https://driver-vehicle-licensing.api.gov.uk/vehicle-enquiry/v1/vehicles",
            headers={"x-api-key": os.environ["DVLA_KEY"]},
            json={"registrationNumber": vrm},
        )
        resp.raise_for_status()
        return resp.json()


def keeper_sync(vrm: str) -> dict:
    """Used by the back-office `pcn-lookup` shell command."""
    return asyncio.run(_dvla_keeper(vrm))


@app.before_serving
async def startup() -> None:
    app.pool = await asyncpg.create_pool(DSN, min_size=1, max_size=6)
    app.evidence = httpx.AsyncClient(base_url=EVIDENCE_API, timeout=15)
    app.bands = await load_penalty_bands()


@app.after_serving
async def shutdown() -> None:
    await app.evidence.aclose()
    await app.pool.close()


@app.get("/pcn/<ref>")
async def show_notice(ref: str):
    notice = await app.pool.fetchrow("SELECT * FROM notices WHERE ref = $1", ref)
    if notice is None:
        abort(404)
    photos = await app.evidence.get(f"/notices/{ref}/photos")
    amount = app.bands.get(notice["contravention_code"])
    return jsonify({**dict(notice), "amount_pence": amount, "photos": photos.json()})


@app.post("/pcn/<ref>/appeal")
async def appeal(ref: str):
    form = await request.get_json()
    notice = await app.pool.fetchrow("SELECT vrm, issued_on, status FROM notices WHERE ref = $1", ref)
    if notice is None or notice["status"] != "open":
        abort(409)
    keeper = keeper_sync(notice["vrm"])  # bug: ADC103
    if keeper.get("make", "").lower() != form.get("make", "").lower():
        return jsonify({"error": "vehicle details do not match"}), 422
    async with app.pool.acquire() as conn:
        async with conn.transaction():
            appeal_id = await conn.fetchval(
                "INSERT INTO appeals (notice_ref, grounds, submitted_on) VALUES ($1, $2, $3) RETURNING id",
                ref, form["grounds"], date.today(),
            )
            await conn.execute("UPDATE notices SET status = 'appealed' WHERE ref = $1", ref)
    return jsonify({"appeal_id": appeal_id}), 201


async def load_penalty_bands() -> dict[str, int]:
    conn = await asyncpg.connect(REPORTING_DSN)  # bug: ADC401
    rows = await conn.fetch("SELECT contravention_code, amount_pence FROM penalty_bands")
    return {r["contravention_code"]: r["amount_pence"] for r in rows}


async def weekly_officer_stats() -> list[dict]:
    conn = await asyncpg.connect(REPORTING_DSN)
    try:
        rows = await conn.fetch(
            "SELECT officer_id, count(*) AS issued, avg((status = 'appealed')::int) AS appeal_rate "
            "FROM notices WHERE issued_on >= current_date - 7 GROUP BY officer_id ORDER BY officer_id"
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


@app.cli.command("weekly-stats")
def weekly_stats_command() -> None:
    for row in asyncio.run(weekly_officer_stats()):
        print(f"{row['officer_id']:>6} {row['issued']:>5} {float(row['appeal_rate'] or 0):.1%}")


if __name__ == "__main__":
    import sys

    print(keeper_sync(sys.argv[1]))
