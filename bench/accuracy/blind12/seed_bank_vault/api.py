"""HTTP API of the germination lab and the vault (FastAPI)."""
import asyncio
import os
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request, UploadFile

from . import imaging, notify, vault

DB_DSN = os.environ.get("SEEDBANK_DSN", "postgresql://seedbank@localhost/collection")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DB_DSN, max_size=8)
    app.state.robot = httpx.AsyncClient(base_url=vault.ROBOT_URL, timeout=30)
    try:
        yield
    finally:
        await notify.drain()
        await app.state.robot.aclose()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/tests/{test_id}/photos")
async def add_photo(test_id: int, photo: UploadFile, request: Request) -> dict:
    pool = request.app.state.pool
    test = await pool.fetchrow("SELECT accession, sown, viability_threshold FROM tests WHERE id = $1", test_id)
    if test is None:
        raise HTTPException(404, "unknown test")
    raw = await photo.read()
    germinated = imaging.count_germinated(raw)  # bug: ADC101
    preview = await asyncio.to_thread(imaging.make_preview, raw)
    rate = germinated / test["sown"]
    await pool.execute(
        "INSERT INTO counts (test_id, counted_at, germinated, preview) VALUES ($1, now(), $2, $3)",
        test_id, germinated, preview,
    )
    if rate < test["viability_threshold"]:
        notify.alert_curator(pool, test["accession"], rate)
    notify.schedule_recount(pool, test_id)
    return {"test": test_id, "germinated": germinated, "rate": round(rate, 3)}


@app.post("/accessions/{code}/withdrawals")
async def withdraw(code: str, grams: float, request: Request) -> dict:
    pool = request.app.state.pool
    row = await pool.fetchrow("SELECT drawer, grams_left FROM accessions WHERE code = $1", code)
    if row is None:
        raise HTTPException(404, "unknown accession")
    if row["grams_left"] - grams < 5:
        raise HTTPException(409, "would leave less than the 5 g safety reserve")
    vial = await vault.fetch_sample(request.app.state.robot, code, row["drawer"], grams)
    await pool.execute(
        "UPDATE accessions SET grams_left = grams_left - $2 WHERE code = $1", code, grams
    )
    return {"accession": code, "vial": vial}


@app.get("/accessions/{code}")
async def accession(code: str, request: Request) -> dict:
    async with request.app.state.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM accessions WHERE code = $1", code)
        if row is None:
            raise HTTPException(404, "unknown accession")
        tests = await conn.fetch(
            "SELECT t.id, max(c.germinated)::float / t.sown AS rate FROM tests t"
            " LEFT JOIN counts c ON c.test_id = t.id WHERE t.accession = $1 GROUP BY t.id ORDER BY t.id",
            code,
        )
    return {"accession": dict(row), "tests": [dict(t) for t in tests]}
