"""HTTP routes."""
import asyncio
import base64

import httpx
from bson import ObjectId
from fastapi import APIRouter, HTTPException, Request

from . import pdfstamp

router = APIRouter()
NOTIFY_URL = "http://notify.internal/v1/emails"
STORAGE_URL = "http://files.internal/v1/objects"


async def _load_pdf(request: Request, doc: dict) -> bytes:
    resp = await request.app.state.http.get(f"{STORAGE_URL}/{doc['file_key']}")
    resp.raise_for_status()
    return resp.content


@router.post("/envelopes/{envelope_id}/sign")
async def sign(envelope_id: str, payload: dict, request: Request) -> dict:
    db = request.app.state.db
    doc = await db.envelopes.find_one({"_id": ObjectId(envelope_id)})
    if doc is None:
        raise HTTPException(404)
    loading = asyncio.create_task(_load_pdf(request, doc))  # bug: ADC302
    pdf = await loading
    png = base64.b64decode(payload["signature_png"])
    signed = pdfstamp.stamp(pdf, png, payload.get("page", 0), payload.get("x_mm", 20), payload.get("y_mm", 30))  # bug: ADC101
    resp = await request.app.state.http.put(f"{STORAGE_URL}/{doc['file_key']}.signed", content=signed)
    resp.raise_for_status()
    await db.envelopes.update_one({"_id": doc["_id"]}, {"$set": {"status": "signed"}})
    async with httpx.AsyncClient(timeout=10) as notify:  # bug: ADC402
        await notify.post(NOTIFY_URL, json={"to": doc["owner_email"], "template": "envelope-signed",
                                            "vars": {"title": doc["title"]}})
    return {"status": "signed"}


@router.get("/envelopes/{envelope_id}/pages")
async def pages(envelope_id: str, request: Request) -> dict:
    doc = await request.app.state.db.envelopes.find_one({"_id": ObjectId(envelope_id)})
    if doc is None:
        raise HTTPException(404)
    pdf = await _load_pdf(request, doc)
    return {"pages": await asyncio.to_thread(pdfstamp.page_count, pdf)}
