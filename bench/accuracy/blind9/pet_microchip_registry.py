"""Microchip registry API: owner lookup, bulk shelter imports, partner registry search."""
from __future__ import annotations

import asyncio
import csv
import io
import os

import aiohttp
import motor.motor_asyncio
from fastapi import FastAPI, HTTPException, UploadFile

app = FastAPI()
PARTNERS = (
    "https://lookup.petlog.example/api/chip",
    "https://api.europetnet.example/v1/chips",
    "https://search.petmaxx.example/chip",
)
mongo = motor.motor_asyncio.AsyncIOMotorClient(os.environ.get("MONGO_URL", "mongodb://mongo:27017"))
db = mongo.chips
LOOKUP_LIMIT = asyncio.Semaphore(10)


@app.on_event("startup")
async def startup() -> None:
    app.state.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=8))
    app.state.partner_status = await partner_health()


@app.on_event("shutdown")
async def shutdown() -> None:
    await app.state.http.close()
    mongo.close()


async def _partner(session: aiohttp.ClientSession, url: str, chip: str) -> dict | None:
    async with session.get(f"{url}/{chip}") as resp:
        if resp.status == 404:
            return None
        resp.raise_for_status()
        return await resp.json()


@app.get("/chips/{chip}")
async def find_chip(chip: str) -> dict:
    doc = await db.registrations.find_one({"chip": chip}, {"_id": 0})
    if doc:
        return doc
    # three partner registries, always the same three
    found = await asyncio.gather(*(_partner(app.state.http, u, chip) for u in PARTNERS), return_exceptions=True)
    hits = [f for f in found if isinstance(f, dict)]
    if not hits:
        raise HTTPException(404, "chip not registered anywhere we can see")
    return {"chip": chip, "partner_records": hits}


async def _register(row: dict) -> str:
    await db.registrations.update_one(
        {"chip": row["chip"]},
        {"$set": {"owner": row["owner"], "phone": row["phone"], "species": row["species"]}},
        upsert=True,
    )
    return row["chip"]


@app.post("/shelters/{shelter_id}/import")
async def shelter_import(shelter_id: str, upload: UploadFile) -> dict:
    text = (await upload.read()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    done = await asyncio.gather(*(_register({**r, "shelter": shelter_id}) for r in rows))  # bug: ADC502
    return {"imported": len(done)}


async def _verified(row: dict) -> bool:
    async with LOOKUP_LIMIT:
        return await _partner(app.state.http, PARTNERS[0], row["chip"]) is not None


@app.post("/shelters/{shelter_id}/verify")
async def shelter_verify(shelter_id: str, upload: UploadFile) -> dict:
    rows = list(csv.DictReader(io.StringIO((await upload.read()).decode("utf-8-sig"))))
    flags = await asyncio.gather(*(_verified(r) for r in rows))
    return {"verified": sum(flags), "unknown": len(rows) - sum(flags)}


async def _status(session: aiohttp.ClientSession, url: str) -> int:
    async with session.head(url) as resp:
        return resp.status


async def partner_health() -> dict[str, int]:
    session = aiohttp.ClientSession()  # bug: ADC401
    codes = await asyncio.gather(*(_status(session, u) for u in PARTNERS))
    return dict(zip(PARTNERS, codes))


@app.get("/health/partners")
async def health() -> dict[str, int]:
    # checked once at start-up; the registries publish their own status pages
    return app.state.partner_status
