"""HTTP front for the ward pharmacists."""
from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request

from . import eprescription
from .dispense import Dispenser
from .robot import RobotLink

TOKEN = os.environ.get("ERX_TOKEN", "")


@asynccontextmanager
async def lifespan(app: FastAPI):
    link = await asyncio.to_thread(RobotLink, os.environ.get("ROBOT_TTY", "/dev/ttyUSB0"))
    link.start()
    pool = await asyncpg.create_pool(os.environ["PHARMACY_DSN"], max_size=8)
    slots = {r["ndc"]: r["slot"] for r in await pool.fetch("SELECT ndc, slot FROM stock")}
    app.state.dispenser = Dispenser(link, pool, slots)
    app.state.registry = httpx.AsyncClient(base_url=eprescription.EXCHANGE, timeout=10)
    try:
        yield
    finally:
        await app.state.registry.aclose()
        await pool.close()
        await asyncio.to_thread(link.close)


app = FastAPI(lifespan=lifespan)


@app.post("/dispense/{rx_id}")
async def dispense(rx_id: str, request: Request):
    rx = await eprescription.fetch_prescription(rx_id, TOKEN)
    if not await eprescription.prescriber_active(request.app.state.registry, rx["npi"]):
        raise HTTPException(403, "prescriber not active")
    return {"picked": await request.app.state.dispenser.dispense(rx)}


@app.post("/restock")
async def restock(delivery: list[dict], request: Request):
    await request.app.state.dispenser.restock(delivery)
    return {"ok": True}


@app.post("/waste/book")
async def book_waste(request: Request):
    return {"booked": await request.app.state.dispenser.book_ejections()}


@app.get("/reconcile")
async def reconcile(request: Request):
    return await request.app.state.dispenser.reconcile()
