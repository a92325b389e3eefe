"""Timed-entry tickets for the Harbourside Maritime Museum (Starlette + Redis)."""
import asyncio
import contextlib
import functools
import json
import uuid

import httpx
import redis.asyncio as redis
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SLOTS = ("10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00")
CAPACITY = {"galleries": 120, "submarine": 12}
RENDER = "https://ticket-render.internal.example"
MEMBERS = "https://members.harbourside-museum.example/api"


def serialised(fn):
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        guard = asyncio.Lock()  # bug: ADC504
        async with guard:
            return await fn(*args, **kwargs)
    return wrapper


def limited(n: int):
    def decorate(fn):
        slots = asyncio.Semaphore(n)

        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            async with slots:
                return await fn(*args, **kwargs)
        return wrapper
    return decorate


@serialised
async def take_places(r: redis.Redis, day: str, slot: str, area: str, qty: int) -> bool:
    key = f"cap:{day}:{slot}:{area}"
    taken = int(await r.get(key) or 0)
    if taken + qty > CAPACITY[area]:
        return False
    await r.incrby(key, qty)
    await r.expire(key, 3 * 86400)
    return True


@limited(4)
async def render_ticket(http: httpx.AsyncClient, booking: dict) -> bytes:
    resp = await http.post(f"{RENDER}/render/timed-entry", json=booking)
    resp.raise_for_status()
    return resp.content


async def member_discount(http: httpx.AsyncClient, member_no: str | None) -> int:
    if not member_no:
        return 0
    resp = await http.get(f"{MEMBERS}/members/{member_no}")
    return resp.json().get("discount_pct", 0) if resp.status_code == 200 else 0


async def book(request):
    body = await request.json()
    r, http = request.app.state.redis, request.app.state.http
    if body["slot"] not in SLOTS or body["area"] not in CAPACITY:
        return JSONResponse({"error": "unknown slot or area"}, status_code=422)
    discount_task = asyncio.create_task(member_discount(http, body.get("member_no")))
    if not await take_places(r, body["day"], body["slot"], body["area"], int(body["qty"])):
        discount_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await discount_task
        return JSONResponse({"error": "slot full"}, status_code=409)
    booking = {"id": uuid.uuid4().hex, "discount_pct": await discount_task, **body}
    await r.set(f"booking:{booking['id']}", json.dumps(booking), ex=7 * 86400)
    async with asyncio.timeout(5):
        pdf = await asyncio.create_task(render_ticket(http, booking))  # bug: ADC302
    await r.set(f"ticket:{booking['id']}", pdf, ex=7 * 86400)
    return JSONResponse({"booking": booking["id"], "ticket": f"/tickets/{booking['id']}.pdf"})


async def availability(request):
    day = request.path_params["day"]
    keys = [f"cap:{day}:{slot}:{area}" for slot in SLOTS for area in CAPACITY]
    taken = await request.app.state.redis.mget(keys)
    free = {k.split(":", 2)[2]: CAPACITY[k.rsplit(":", 1)[1]] - int(v or 0) for k, v in zip(keys, taken)}
    return JSONResponse({"day": day, "free": free})


async def ticket_pdf(request):
    pdf = await request.app.state.redis.get(f"ticket:{request.path_params['booking']}")
    if pdf is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return Response(pdf, media_type="application/pdf")


@contextlib.asynccontextmanager
async def lifespan(app):
    app.state.redis = redis.from_url("redis://cache.museum.lan:6379/2")
    app.state.http = httpx.AsyncClient(timeout=10)
    yield
    await app.state.http.aclose()
    await app.state.redis.aclose()


app = Starlette(lifespan=lifespan, routes=[
    Route("/bookings", book, methods=["POST"]),
    Route("/availability/{day}", availability),
    Route("/tickets/{booking}.pdf", ticket_pdf),
])

if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8020)
