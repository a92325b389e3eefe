"""Broker-facing API: quotation checks and full underwriting."""
import asyncio
import json
import os
from contextlib import asynccontextmanager
from dataclasses import asdict

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request

from . import bureau, decision, valuation

DSN = os.environ.get("UW_DSN", "postgresql://uw@db/underwriting")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DSN, min_size=2, max_size=10)
    app.state.http = httpx.AsyncClient(base_url=valuation.AVM_URL, headers=valuation.auth_headers(), timeout=20)
    try:
        yield
    finally:
        await app.state.http.aclose()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def load_application(pool, app_id: int):
    row = await pool.fetchrow("SELECT * FROM applications WHERE id = $1", app_id)
    if row is None:
        raise HTTPException(404, "no such application")
    return row


@app.post("/applications/{app_id}/quotation-check")
async def quotation_check(app_id: int, request: Request):
    a = await load_application(request.app.state.pool, app_id)
    comps_task = asyncio.create_task(valuation.comparables(request.app.state.http, a["postcode"], a["bedrooms"]))
    report = await asyncio.to_thread(
        bureau.pull_report, a["forename"], a["surname"], a["dob"], a["postcode"], hard=False
    )
    comps = await comps_task
    indicative = decision.credit_rules(report)
    return {"search_id": report.search_id, "credit_flags": indicative, "comparables": len(comps)}


@app.post("/applications/{app_id}/underwrite")
async def underwrite(app_id: int, request: Request):
    pool = request.app.state.pool
    a = await load_application(pool, app_id)
    if a["status"] != "submitted":
        raise HTTPException(409, f"application is {a['status']}")
    report = bureau.pull_report(a["forename"], a["surname"], a["dob"], a["postcode"])  # bug: ADC101
    outcome = await decision.underwrite(a, report, request.app.state.http)
    async with pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute(
                "UPDATE applications SET status = $1, decided_at = now() WHERE id = $2",
                outcome.decision, app_id,
            )
            await conn.execute(
                "INSERT INTO decisions (application_id, search_id, outcome) VALUES ($1, $2, $3::jsonb)",
                app_id, report.search_id, json.dumps(asdict(outcome)),
            )
    return asdict(outcome)
