import os

import aiohttp
import asyncpg
from sanic import Sanic
from sanic.exceptions import NotFound
from sanic.response import json as json_response

app = Sanic("shipping")
app.config.DB_DSN = os.environ["DB_DSN"]
app.config.CARRIER_URL = os.environ.get("CARRIER_URL", "https://api.carrier.example")


@app.before_server_start
async def setup_db(app, _):
    app.ctx.pool = await asyncpg.create_pool(dsn=app.config.DB_DSN, min_size=2, max_size=10)


@app.after_server_stop
async def close_db(app, _):
    await app.ctx.pool.close()


@app.get("/orders/<order_id:int>")
async def get_order(request, order_id: int):
    async with app.ctx.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT id, sku, qty, status FROM orders WHERE id = $1", order_id
        )
    if row is None:
        raise NotFound(f"order {order_id} not found")
    return json_response(dict(row))


@app.post("/orders/<order_id:int>/ship")
async def ship_order(request, order_id: int):
    async with app.ctx.pool.acquire() as conn:
        async with conn.transaction():
            row = await conn.fetchrow(
                "UPDATE orders SET status = 'shipped' WHERE id = $1 AND status = 'paid'"
                " RETURNING sku, qty, address",
                order_id,
            )
    if row is None:
        raise NotFound(f"no paid order {order_id}")
    carrier = aiohttp.ClientSession(base_url=app.config.CARRIER_URL)  # bug: ADC401
    resp = await carrier.post(
        "/v2/labels", json={"sku": row["sku"], "qty": row["qty"], "address": row["address"]}
    )
    resp.raise_for_status()
    label = await resp.json()
    return json_response({"order": order_id, "tracking": label["tracking_number"]})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, workers=2)
