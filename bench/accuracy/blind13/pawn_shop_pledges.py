"""Pledge intake for the Goldsmith & Daughter pawn shops.

Every item taken in is checked against the police stolen-property register
(a SOAP service), valued from the trade price guide, and photographed into
the shops' object store. Forfeited pledges are reported back to the register.
"""
from __future__ import annotations

import asyncio
import os
import uuid
from contextlib import asynccontextmanager
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
import httpx
import zeep
from fastapi import Depends, FastAPI, HTTPException, Request, UploadFile
from pydantic import BaseModel
from zeep.transports import Transport

REGISTER_WSDL = "https://register.police-property.example/StolenGoods.svc?wsdl"
PRICE_GUIDE = "https://api.tradeprices.example/v3"
PHOTOS = "https://objects.goldsmith.example/pledges"
LOAN_RATIO = Decimal("0.55")
TERM = timedelta(days=180)


class Intake(BaseModel):
    customer_id: int
    category: str
    make: str
    model: str
    serial: str | None = None
    condition: str = "good"


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["PAWN_DSN"], max_size=10)
    app.state.http = httpx.AsyncClient(timeout=20, headers={"Authorization": f"Bearer {os.environ['STORE_TOKEN']}"})
    app.state.register = await asyncio.to_thread(zeep.Client, REGISTER_WSDL, transport=Transport(timeout=15))
    try:
        yield
    finally:
        await app.state.http.aclose()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


class Shop:
    def __init__(self, state) -> None:
        self.pool = state.pool
        self.http = state.http
        self.registry = state.register
        self.code = os.environ["SHOP_CODE"]

    async def stolen(self, item: Intake) -> bool:
        if not item.serial:
            return False
        result = self.registry.service.CheckItem(Serial=item.serial, Make=item.make, ShopCode=self.code)  # bug: ADC101
        return bool(result.Matches)

    async def report_disposal(self, pledge_id: int, serial: str) -> None:
        await asyncio.to_thread(
            self.registry.service.RecordDisposal, Serial=serial, Reference=str(pledge_id), ShopCode=self.code
        )


def get_shop(request: Request) -> Shop:
    return Shop(request.app.state)


@app.post("/pledges")
async def take_pledge(item: Intake, shop: Shop = Depends(get_shop)):
    if await shop.stolen(item):
        raise HTTPException(409, "flagged on the stolen-property register: keep the item, call the liaison")
    async with httpx.AsyncClient(base_url=PRICE_GUIDE, headers={"X-Api-Key": os.environ["PRICE_KEY"]}) as guide:  # bug: ADC402
        params = {"category": item.category, "make": item.make, "model": item.model, "condition": item.condition}
        resp = await guide.get("/valuations", params=params)
        resp.raise_for_status()
        trade = Decimal(str(resp.json()["trade_price"]))
    loan = (trade * LOAN_RATIO).quantize(Decimal("1"))
    due = date.today() + TERM
    pledge_id = await shop.pool.fetchval(
        "INSERT INTO pledges (customer_id, category, make, model, serial, loan, due)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        item.customer_id, item.category, item.make, item.model, item.serial, loan, due,
    )
    return {"pledge": pledge_id, "loan_offer": str(loan), "due": due.isoformat()}


@app.put("/pledges/{pledge_id}/photo")
async def add_photo(pledge_id: int, file: UploadFile, shop: Shop = Depends(get_shop)):
    data = await file.read()
    key = f"{pledge_id}/{uuid.uuid4()}.jpg"
    resp = await shop.http.put(f"{PHOTOS}/{key}", content=data, headers={"Content-Type": file.content_type or "image/jpeg"})
    resp.raise_for_status()
    await shop.pool.execute("UPDATE pledges SET photos = array_append(photos, $2) WHERE id = $1", pledge_id, key)
    return {"key": key}


@app.post("/pledges/{pledge_id}/forfeit")
async def forfeit(pledge_id: int, shop: Shop = Depends(get_shop)):
    async with shop.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow("SELECT serial, due, status FROM pledges WHERE id = $1 FOR UPDATE", pledge_id)
        if row is None:
            raise HTTPException(404)
        if row["status"] != "open" or row["due"] >= date.today():
            raise HTTPException(409, "pledge is not overdue")
        await conn.execute("UPDATE pledges SET status = 'forfeit' WHERE id = $1", pledge_id)
    if row["serial"]:
        await shop.report_disposal(pledge_id, row["serial"])
    return {"status": "forfeit"}
