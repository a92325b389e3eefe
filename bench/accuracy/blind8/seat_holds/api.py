"""Starlette API for the seat picker and the checkout page."""
from __future__ import annotations

import asyncio
import contextlib
import os
import uuid

import httpx
import redis.asyncio as redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import payments, sweeper
from .holds import HoldStore


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    r = redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/2"))
    app.state.store = HoldStore(r)
    app.state.psp = httpx.AsyncClient(base_url=payments.PSP_URL, headers=payments.PSP_HEADERS, timeout=15)
    asyncio.create_task(sweeper.sweep_forever(app.state.store))  # bug: ADC301
    app.state.warmup = asyncio.create_task(sweeper.warm_seatmaps(app.state.store, ["ev-2041", "ev-2042"]))
    try:
        yield
    finally:
        app.state.warmup.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app.state.warmup
        await app.state.psp.aclose()
        await r.aclose()


async def hold_seat(request: Request) -> JSONResponse:
    body = await request.json()
    ok = await request.app.state.store.hold(request.path_params["event_id"], body["seat"], body["session"])
    return JSONResponse({"held": ok}, status_code=200 if ok else 409)


async def checkout(request: Request) -> JSONResponse:
    body = await request.json()
    event_id = request.path_params["event_id"]
    order_id = uuid.uuid4().hex
    payment = await payments.capture(order_id, body["amount_cents"], body["card_token"])
    if not await request.app.state.store.confirm(event_id, body["seats"], body["session"], order_id):
        await payments.refund(request.app.state.psp, payment["id"])
        return JSONResponse({"error": "hold expired"}, status_code=409)
    return JSONResponse({"order": order_id, "payment": payment["id"]})


app = Starlette(
    routes=[
        Route("/events/{event_id}/holds", hold_seat, methods=["POST"]),
        Route("/events/{event_id}/checkout", checkout, methods=["POST"]),
    ],
    lifespan=lifespan,
)
