"""Web-push notifier: fans release announcements out to browser subscriptions."""
import asyncio
import json
import logging

import asyncpg
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from pywebpush import WebPushException, webpush

log = logging.getLogger("webpush")
app = FastAPI()

VAPID_PRIVATE_KEY = "/etc/push/vapid_private.pem"
VAPID_CLAIMS = {"sub": "mailto:ops@example.org"}


class Announcement(BaseModel):
    title: str
    body: str
    url: str | None = None


@app.on_event("startup")
async def startup() -> None:
    app.state.pool = await asyncpg.create_pool("postgresql://push@db/push", max_size=8)


@app.on_event("shutdown")
async def shutdown() -> None:
    await app.state.pool.close()


async def forget(endpoint: str) -> None:
    async with app.state.pool.acquire() as conn:
        await conn.execute("DELETE FROM subscriptions WHERE endpoint = $1", endpoint)


async def send_one(sub: asyncpg.Record, payload: str) -> bool:
    info = {"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]}}
    try:
        webpush(info, payload, vapid_private_key=VAPID_PRIVATE_KEY, vapid_claims=dict(VAPID_CLAIMS), ttl=3600)  # bug: ADC101
        return True
    except WebPushException as exc:
        if exc.response is not None and exc.response.status_code in (404, 410):
            await forget(sub["endpoint"])
        return False


@app.post("/announce")
async def announce(msg: Announcement) -> dict:
    payload = json.dumps(msg.model_dump())
    async with app.state.pool.acquire() as conn:
        subs = await conn.fetch("SELECT endpoint, p256dh, auth FROM subscriptions")
    results = await asyncio.gather(*(send_one(s, payload) for s in subs))  # bug: ADC502
    return {"sent": sum(results), "total": len(subs)}


@app.post("/test-push/{user_id}")
async def test_push(user_id: int) -> dict:
    async with app.state.pool.acquire() as conn:
        sub = await conn.fetchrow(
            "SELECT endpoint, p256dh, auth FROM subscriptions WHERE user_id = $1 LIMIT 1", user_id
        )
    if sub is None:
        raise HTTPException(404, "no subscription")
    info = {"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]}}
    await asyncio.to_thread(
        webpush, info, json.dumps({"title": "Test", "body": "It works"}),
        vapid_private_key=VAPID_PRIVATE_KEY, vapid_claims=dict(VAPID_CLAIMS),
    )
    return {"ok": True}
