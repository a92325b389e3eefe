import contextlib
import json
import os

import redis
from fastapi import FastAPI
from pydantic import BaseModel
from redis import asyncio as aioredis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
CART_TTL = 24 * 3600

# the sync client is for the maintenance command at the bottom of this file
sync_r = redis.Redis.from_url(REDIS_URL)


class Item(BaseModel):
    sku: str
    qty: int = 1


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.redis = aioredis.from_url(REDIS_URL, decode_responses=True)
    try:
        yield
    finally:
        await app.state.redis.aclose()


app = FastAPI(lifespan=lifespan)


@app.get("/cart/{user_id}")
async def get_cart(user_id: int):
    raw = await app.state.redis.get(f"cart:{user_id}")
    return {"items": json.loads(raw or "[]")}


@app.post("/cart/{user_id}/items")
async def add_item(user_id: int, item: Item):
    key = f"cart:{user_id}"
    cart = json.loads(sync_r.get(key) or "[]")  # bug: ADC101
    cart.append(item.model_dump())
    sync_r.setex(key, CART_TTL, json.dumps(cart))  # bug: ADC101
    return {"items": cart}


@app.delete("/cart/{user_id}")
async def clear_cart(user_id: int):
    await app.state.redis.delete(f"cart:{user_id}")
    return {"items": []}


def purge_abandoned_carts() -> int:
    n = 0
    for key in sync_r.scan_iter("cart:*", count=500):
        if sync_r.ttl(key) < 3600:
            sync_r.delete(key)
            n += 1
    return n


if __name__ == "__main__":
    print(f"purged {purge_abandoned_carts()} carts")
