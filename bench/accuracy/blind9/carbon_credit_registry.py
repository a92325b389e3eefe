"""Carbon credit registry: issuance mirror and retirement of credit batches."""
from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from registry.models import CreditBatch, Retirement

VERRA_API = "https://registry.verra.org/uiapi"
engine = create_async_engine(os.environ["REGISTRY_DB"], pool_size=10)
Session = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(app: Starlette):
    app.state.http = httpx.AsyncClient(base_url=VERRA_API, timeout=20)
    app.state.batch_locks = defaultdict(asyncio.Lock)
    try:
        yield
    finally:
        await app.state.http.aclose()
        await engine.dispose()


async def batch_status(request: Request) -> JSONResponse:
    serial = request.path_params["serial"]
    resp = await request.app.state.http.get(f"/asset/vcu/{serial}")
    resp.raise_for_status()
    return JSONResponse({"serial": serial, "status": resp.json()["retirementStatus"]})


async def _verify_upstream(serial: str, quantity: int) -> bool:
    async with httpx.AsyncClient(base_url=VERRA_API, timeout=20) as client:  # bug: ADC402
        resp = await client.get(f"/asset/vcu/{serial}")
        resp.raise_for_status()
        data = resp.json()
    return data["retirementStatus"] == "active" and data["quantity"] >= quantity


async def retire(request: Request) -> JSONResponse:
    body = await request.json()
    serial, quantity, beneficiary = body["serial"], int(body["quantity"]), body["beneficiary"]
    if not await _verify_upstream(serial, quantity):
        return JSONResponse({"error": "batch not retirable upstream"}, status_code=409)
    guard = asyncio.Lock()  # bug: ADC504
    async with guard:
        async with Session() as session, session.begin():
            batch = await session.scalar(select(CreditBatch).where(CreditBatch.serial == serial))
            if batch is None or batch.available < quantity:
                return JSONResponse({"error": "insufficient credits"}, status_code=409)
            batch.available -= quantity
            session.add(Retirement(batch_id=batch.id, quantity=quantity, beneficiary=beneficiary))
    return JSONResponse({"retired": quantity, "serial": serial}, status_code=201)


async def transfer(request: Request) -> JSONResponse:
    body = await request.json()
    serial, quantity, to_account = body["serial"], int(body["quantity"]), body["to"]
    async with request.app.state.batch_locks[serial]:
        async with Session() as session, session.begin():
            batch = await session.scalar(select(CreditBatch).where(CreditBatch.serial == serial))
            if batch is None or batch.available < quantity:
                return JSONResponse({"error": "insufficient credits"}, status_code=409)
            # debit first, then credit: both statements run in one transaction, in order
            await session.execute(
                update(CreditBatch).where(CreditBatch.id == batch.id).values(available=batch.available - quantity)
            )
            session.add(CreditBatch(serial=f"{serial}-{to_account}", account=to_account, available=quantity))
    return JSONResponse({"moved": quantity})


app = Starlette(
    routes=[
        Route("/batches/{serial}", batch_status),
        Route("/retirements", retire, methods=["POST"]),
        Route("/transfers", transfer, methods=["POST"]),
    ],
    lifespan=lifespan,
)
