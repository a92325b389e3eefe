"""Fan-to-fan ticket resale with a face-value price cap (FastAPI)."""
import asyncio
import json
import os
from contextlib import asynccontextmanager

import asyncpg
import httpx
import redis
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel
from redis import asyncio as aioredis

PRIMARY_SELLERS = ("ticketmaster", "axs", "see")
PRICE_CAP = 1.10
FACE_API = "https://face-value.internal/v1"
RISK_API = "https://risk.internal/v2/score"


class ListingCache:
    """Listing pages cached for a minute. Shared with the sync admin tools."""

    def __init__(self, url: str):
        self.cache = redis.Redis.from_url(url, decode_responses=True)

    def put(self, listing: dict) -> None:
        self.cache.setex(f"listing:{listing['id']}", 60, json.dumps(listing, default=str))

    async def get_listing(self, pool: asyncpg.Pool, listing_id: int) -> dict | None:
        raw = self.cache.get(f"listing:{listing_id}")  # bug: ADC101
        if raw:
            return json.loads(raw)
        row = await pool.fetchrow("SELECT id, event_id, section, row, seat, price_pence, status FROM listings WHERE id = $1", listing_id)
        if row is None:
            return None
        listing = dict(row)
        await asyncio.to_thread(self.put, listing)
        return listing


class NewListing(BaseModel):
    seller_id: int
    event_id: int
    section: str
    row: str
    seat: str
    price_pence: int


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["RESALE_DSN"])
    app.state.http = httpx.AsyncClient(timeout=8)
    app.state.redis = aioredis.from_url(os.environ["REDIS_URL"])
    app.state.cache = ListingCache(os.environ["REDIS_URL"])
    yield
    await app.state.redis.aclose()
    await app.state.http.aclose()
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def face_value(http: httpx.AsyncClient, event_id: int, seller: str) -> int | None:
    resp = await http.get(f"{FACE_API}/{seller}/events/{event_id}")
    return resp.json()["max_face_pence"] if resp.status_code == 200 else None


async def fraud_score(http: httpx.AsyncClient, seller_id: int, price: int, face: int) -> float:
    resp = await http.post(RISK_API, json={"seller": seller_id, "price": price, "face": face})
    resp.raise_for_status()
    return resp.json()["score"]


@app.post("/listings", status_code=201)
async def create_listing(body: NewListing, request: Request):
    state = request.app.state
    face_lookups = asyncio.gather(*(face_value(state.http, body.event_id, s) for s in PRIMARY_SELLERS))
    seller = await state.pool.fetchrow("SELECT id, banned FROM sellers WHERE id = $1", body.seller_id)
    faces = [f for f in await face_lookups if f]
    if seller is None or seller["banned"] or not faces:
        raise HTTPException(403, "cannot list this ticket")
    if body.price_pence > max(faces) * PRICE_CAP:
        raise HTTPException(422, "price is above the resale cap")
    score = await asyncio.create_task(fraud_score(state.http, seller["id"], body.price_pence, max(faces)))  # bug: ADC302
    listing_id = await state.pool.fetchval(
        "INSERT INTO listings (seller_id, event_id, section, row, seat, price_pence, status) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        body.seller_id, body.event_id, body.section, body.row, body.seat, body.price_pence,
        "review" if score > 0.8 else "live",
    )
    return {"id": listing_id}


@app.get("/listings/{listing_id}")
async def get_listing(listing_id: int, request: Request):
    listing = await request.app.state.cache.get_listing(request.app.state.pool, listing_id)
    if listing is None:
        raise HTTPException(404)
    return listing


@app.post("/listings/{listing_id}/buy")
async def buy(listing_id: int, request: Request):
    state = request.app.state
    async with state.redis.lock(f"buy:{listing_id}", timeout=30, blocking_timeout=5):
        status = await state.pool.fetchval("SELECT status FROM listings WHERE id = $1", listing_id)
        if status != "live":
            raise HTTPException(409, "no longer available")
        await state.pool.execute("UPDATE listings SET status = 'sold' WHERE id = $1", listing_id)
    return {"bought": listing_id}
