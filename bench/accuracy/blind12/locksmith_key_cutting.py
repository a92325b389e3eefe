"""Key cutting orders for a chain of locksmith shops (FastAPI).

Customers with a registered key card order duplicates online; the shop's
code-cutting machine cuts from the key code, so the blank never leaves
the shop. The manufacturer's key-code registry is queried to check that
the card holder is authorised for that key series. Payments arrive by
webhook from the card processor.
"""
import hashlib
import hmac
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import asyncpg
import httpx
import requests
from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Request

log = logging.getLogger("keys")

DB_DSN = os.environ.get("KEYS_DSN", "postgresql://keys@localhost/orders")
REGISTRY = "https://registry.lockmaker.example/api"
WEBHOOK_SECRET = os.environ.get("PAY_WEBHOOK_SECRET", "").encode()
LEGACY_STOCK = "http://stock.shops.internal/cgi-bin/blanks"


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DB_DSN, min_size=2, max_size=10)
    app.state.registry = httpx.AsyncClient(base_url=REGISTRY, timeout=10)
    try:
        yield
    finally:
        await app.state.registry.aclose()
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    async with request.app.state.pool.acquire() as conn:
        yield conn


Conn = Annotated[asyncpg.Connection, Depends(connection)]


async def notify_shop(pool: asyncpg.Pool, shop: str, order_id: int) -> None:
    await pool.execute("SELECT pg_notify('shop_orders', $1)", f"{shop}:{order_id}")


@app.post("/orders")
async def order(card_no: str, series: str, copies: int, shop: str, request: Request, conn: Conn,
                background: BackgroundTasks) -> dict:
    resp = await request.app.state.registry.get(f"/cards/{card_no}", params={"series": series})
    if resp.status_code == 404:
        raise HTTPException(403, "card not registered for this series")
    resp.raise_for_status()
    holder = resp.json()
    async with conn.transaction():
        order_id = await conn.fetchval(
            "INSERT INTO orders (card_no, series, copies, shop, holder) VALUES ($1, $2, $3, $4, $5)"
            " RETURNING id",
            card_no, series, copies, shop, holder["name"],
        )
        await conn.execute("INSERT INTO audit (order_id, event) VALUES ($1, 'created')", order_id)
    background.add_task(notify_shop, request.app.state.pool, shop, order_id)
    return {"order": order_id, "holder": holder["name"]}


@app.post("/webhooks/payments")
async def payment(request: Request, conn: Conn, x_signature: Annotated[str, Header()]) -> dict:
    body = await request.body()
    expected = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, x_signature):
        raise HTTPException(401, "bad signature")
    event = await request.json()
    async with conn.transaction():
        status = await conn.execute(
            "UPDATE orders SET paid = now() WHERE id = $1 AND paid IS NULL", int(event["reference"])
        )
        if status.endswith(" 1"):
            await conn.execute(
                "INSERT INTO audit (order_id, event) VALUES ($1, 'paid')", int(event["reference"])
            )
    return {"ok": True}


@app.get("/shops/{shop}/blanks")
def blanks(shop: str, series: str) -> dict:
    # a plain def: FastAPI runs it in its thread pool, so the old CGI stock
    # service can be called with requests
    resp = requests.get(LEGACY_STOCK, params={"shop": shop, "series": series}, timeout=10)
    resp.raise_for_status()
    count = int(resp.text.strip() or 0)
    return {"shop": shop, "series": series, "blanks": count}


@app.get("/orders/{order_id}")
async def order_status(order_id: int, conn: Conn) -> dict:
    row = await conn.fetchrow("SELECT id, series, copies, shop, paid, cut FROM orders WHERE id = $1", order_id)
    if row is None:
        raise HTTPException(404, "no such order")
    events = await conn.fetch("SELECT event, at FROM audit WHERE order_id = $1 ORDER BY at", order_id)
    return {**dict(row), "events": [dict(e) for e in events]}
