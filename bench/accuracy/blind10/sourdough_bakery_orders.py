"""Micro-bakery weekend pre-orders (FastAPI). Items come from the Square
catalogue; each bake day has a fixed oven capacity per loaf."""
import asyncio
import os
from contextlib import asynccontextmanager
from datetime import date

import httpx
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel
from redis import asyncio as aioredis

SQUARE_API = "https://connect.squareup.com/v2"
SQUARE_TOKEN = os.environ.get("SQUARE_TOKEN", "")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost/0")


async def fetch_catalog(client: httpx.AsyncClient, token: str) -> dict[str, dict]:
    items, cursor = {}, None
    while True:
        params = {"types": "ITEM", **({"cursor": cursor} if cursor else {})}
        resp = await client.get(f"{SQUARE_API}/catalog/list", params=params, headers={"Authorization": f"Bearer {token}"})
        resp.raise_for_status()
        body = resp.json()
        for obj in body.get("objects", []):
            data = obj["item_data"]
            items[obj["id"]] = {"name": data["name"], "oven_capacity": int(obj.get("custom_attribute_values", {}).get("capacity", {}).get("number_value", 40))}
        cursor = body.get("cursor")
        if not cursor:
            return items


class Menu:
    """The weekend menu. Also built at 4 a.m. by the bake-sheet printing script."""

    def __init__(self, token: str):
        self.items = asyncio.run(self._fetch(token))

    @staticmethod
    async def _fetch(token: str) -> dict[str, dict]:
        async with httpx.AsyncClient(timeout=20) as client:
            return await fetch_catalog(client, token)

    @classmethod
    async def load(cls, client: httpx.AsyncClient, token: str) -> "Menu":
        menu = cls.__new__(cls)
        menu.items = await fetch_catalog(client, token)
        return menu


class Order(BaseModel):
    customer_email: str
    pickup_day: date
    lines: dict[str, int]


async def reserve_loaves(menu: Menu, day: date, lines: dict[str, int]) -> bool:
    r = aioredis.from_url(REDIS_URL)  # bug: ADC402
    try:
        async with r.pipeline(transaction=True) as pipe:
            for item_id, qty in lines.items():
                pipe.hincrby(f"bake:{day}", item_id, qty)
            totals = await pipe.execute()
        if all(t <= menu.items[i]["oven_capacity"] for i, t in zip(lines, totals)):
            return True
        async with r.pipeline(transaction=True) as pipe:
            for item_id, qty in lines.items():
                pipe.hincrby(f"bake:{day}", item_id, -qty)
            await pipe.execute()
        return False
    finally:
        await r.aclose()


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(timeout=20)
    app.state.redis = aioredis.from_url(REDIS_URL, decode_responses=True)
    app.state.menu = await Menu.load(app.state.http, SQUARE_TOKEN)
    yield
    await app.state.redis.aclose()
    await app.state.http.aclose()


app = FastAPI(lifespan=lifespan)


@app.post("/orders", status_code=201)
async def place_order(order: Order, request: Request):
    menu = request.app.state.menu
    if order.pickup_day.weekday() not in (4, 5) or any(i not in menu.items for i in order.lines):
        raise HTTPException(422, "we bake Friday and Saturday, from the current menu")
    if not await reserve_loaves(menu, order.pickup_day, order.lines):
        raise HTTPException(409, "sold out for that day")
    await request.app.state.redis.rpush(f"orders:{order.pickup_day}", order.model_dump_json())
    return {"ok": True}


@app.get("/bake-sheet/{day}")
async def bake_sheet(day: date, request: Request):
    counts = await request.app.state.redis.hgetall(f"bake:{day}")
    menu = request.app.state.menu
    return {menu.items[i]["name"]: int(n) for i, n in counts.items() if i in menu.items}


@app.post("/admin/menu/reload")
async def reload_menu(request: Request):
    request.app.state.menu = Menu(SQUARE_TOKEN)  # bug: ADC103
    return {"items": len(request.app.state.menu.items)}
