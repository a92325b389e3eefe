"""HTTP routes."""
import httpx
from fastapi import APIRouter, File, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from . import fx, ocr

router = APIRouter()


@router.post("/receipts/preview")
async def preview(file: UploadFile = File(...)):
    data = await file.read()
    text = await run_in_threadpool(ocr.extract_text, data)
    return {"text": text[:2000], "total": ocr.parse_total(text)}


@router.post("/receipts")
async def scan_receipt(request: Request, currency: str = "EUR", file: UploadFile = File(...)):
    data = await file.read()
    text = ocr.extract_text(data)  # bug: ADC101
    items = ocr.parse_lines(text, currency)
    http = request.app.state.http
    for item in items:
        item["eur"] = await fx.convert(http, item["amount"], item["currency"])  # bug: ADC501
    return {"total": ocr.parse_total(text), "items": items}


@router.get("/convert")
async def convert_total(amount: float, currency: str):
    async with httpx.AsyncClient(timeout=10) as client:  # bug: ADC402
        eur = await fx.convert(client, amount, currency)
    return {"amount": amount, "currency": currency, "eur": round(eur, 2)}
