"""HTTP intake for first-notice-of-loss claims."""
from __future__ import annotations

import asyncio
import logging
import os
import uuid
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile

from . import fraud, notify, ocr

log = logging.getLogger("claims.api")
DSN = os.environ.get("CLAIMS_DSN", "postgresql://claims@db/claims")
TEXTRACT = ocr.make_client()


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DSN, min_size=2, max_size=10)
    app.state.http = httpx.AsyncClient(timeout=10.0)
    app.state.textract = TEXTRACT
    try:
        yield
    finally:
        await app.state.http.aclose()
        await app.state.pool.close()


app = FastAPI(title="claims-intake", lifespan=lifespan)


async def _active_policy(pool: asyncpg.Pool, number: str) -> asyncpg.Record:
    policy = await pool.fetchrow(
        "SELECT id, holder_email, status FROM policies WHERE number = $1", number
    )
    if policy is None or policy["status"] != "active":
        raise HTTPException(status_code=404, detail="no active policy with that number")
    return policy


@app.post("/claims", status_code=201)
async def submit_claim(
    request: Request,
    policy_no: str = Form(...),
    description: str = Form(...),
    photo: UploadFile = File(...),
):
    pool = request.app.state.pool
    policy = await _active_policy(pool, policy_no)
    blob = await photo.read()
    fields = ocr.extract_fields(request.app.state.textract, blob)  # bug: ADC101
    score = await fraud.score_claim(policy["id"], description, fields)

    claim_id = uuid.uuid4()
    async with pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO claims (id, policy_id, description, fraud_score) VALUES ($1, $2, $3, $4)",
                claim_id, policy["id"], description, score,
            )
            await conn.execute(
                "INSERT INTO claim_events (claim_id, kind) VALUES ($1, 'submitted')", claim_id
            )
    notify.send_acknowledgement(request.app.state.http, policy["holder_email"], claim_id)  # bug: ADC201
    log.info("claim %s filed against %s (score %.2f)", claim_id, policy_no, score)
    return {"claim_id": str(claim_id), "fraud_score": score}


@app.post("/claims/{claim_id}/documents", status_code=202)
async def add_document(request: Request, claim_id: uuid.UUID, kind: str = Form(...), scan: UploadFile = File(...)):
    pool = request.app.state.pool
    row = await pool.fetchrow(
        "SELECT p.holder_email FROM claims c JOIN policies p ON p.id = c.policy_id WHERE c.id = $1",
        claim_id,
    )
    if row is None:
        raise HTTPException(status_code=404, detail="unknown claim")
    blob = await scan.read()
    fields = await asyncio.to_thread(ocr.extract_fields, request.app.state.textract, blob)
    await pool.execute(
        "INSERT INTO claim_documents (claim_id, kind, fields) VALUES ($1, $2, $3)",
        claim_id, kind, fields,
    )
    await notify.send_document_receipt(request.app.state.http, row["holder_email"], claim_id, kind)
    return {"fields": fields}
