"""ULD build-up and tracking for the cargo terminal (Sanic, Motor, RabbitMQ)."""
import asyncio
import json
from datetime import datetime, timezone

import aio_pika
import httpx
from motor.motor_asyncio import AsyncIOMotorClient
from sanic import Sanic
from sanic import json as json_response
from sanic.exceptions import NotFound

AMQP_URL = "amqp://uld:uld@mq.cargo.lan/"
LOADPLAN_API = "https://loadplan.airline.example/api/v2"

app = Sanic("uld_tracking")


@app.before_server_start
async def setup(app: Sanic, _loop) -> None:
    app.ctx.mongo = AsyncIOMotorClient("mongodb://cargo-db:27017", tz_aware=True)
    app.ctx.db = app.ctx.mongo.cargo
    app.ctx.loadplan = httpx.AsyncClient(base_url=LOADPLAN_API, timeout=10)


@app.after_server_stop
async def teardown(app: Sanic, _loop) -> None:
    await app.ctx.loadplan.aclose()
    app.ctx.mongo.close()


async def load_plan(client: httpx.AsyncClient, flight: str) -> dict:
    resp = await client.get(f"/flights/{flight}/loadplan")
    resp.raise_for_status()
    return resp.json()


def load_plan_sync(flight: str) -> dict:
    """For the loadsheet printing script, which is not async."""
    async def fetch() -> dict:
        async with httpx.AsyncClient(base_url=LOADPLAN_API, timeout=10) as client:
            return await load_plan(client, flight)
    return asyncio.run(fetch())


async def publish_event(routing_key: str, payload: dict) -> None:
    connection = await aio_pika.connect_robust(AMQP_URL)  # bug: ADC402
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange("uld.events")
        message = aio_pika.Message(json.dumps(payload).encode(), content_type="application/json")
        await exchange.publish(message, routing_key=routing_key)


@app.post("/uld/<uld_id>/scan")
async def scan(request, uld_id: str):
    body = request.json
    now = datetime.now(timezone.utc)
    await request.app.ctx.db.ulds.update_one(
        {"_id": uld_id},
        {"$set": {"location": body["location"], "seen_at": now},
         "$push": {"history": {"location": body["location"], "at": now, "by": body.get("scanner")}}},
        upsert=True,
    )
    await publish_event("uld.scanned", {"uld": uld_id, "location": body["location"], "at": now.isoformat()})
    return json_response({"uld": uld_id, "location": body["location"]})


@app.post("/flights/<flight>/uld/<uld_id>/assign")
async def assign(request, flight: str, uld_id: str):
    db = request.app.ctx.db
    uld = await db.ulds.find_one({"_id": uld_id})
    if uld is None:
        raise NotFound(f"unknown ULD {uld_id}")
    plan = load_plan_sync(flight)  # bug: ADC103
    free = [p for p in plan["positions"] if p["contour"] == uld["contour"] and not p.get("uld")]
    if not free:
        return json_response({"error": f"no free {uld['contour']} position on {flight}"}, status=409)
    position = free[0]["id"]
    await db.flights.update_one(
        {"_id": flight}, {"$set": {f"positions.{position}": uld_id}}, upsert=True
    )
    return json_response({"flight": flight, "uld": uld_id, "position": position})


@app.get("/flights/<flight>/loadplan")
async def get_plan(request, flight: str):
    plan = await load_plan(request.app.ctx.loadplan, flight)
    assigned = await request.app.ctx.db.flights.find_one({"_id": flight}) or {}
    return json_response({"plan": plan, "assigned": assigned.get("positions", {})})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, workers=2)
