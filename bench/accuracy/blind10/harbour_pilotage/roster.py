"""Pilot rosters by SMS, and the pilot boats' position feed."""
import asyncio
import json
import logging
import os
from datetime import date

import asyncpg
import httpx
import websockets

log = logging.getLogger(__name__)

SMS_API = "https://api.sms-gateway.example/v1/messages"


async def load_pilots(dsn: str, week: date) -> list[dict]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT p.name, p.mobile, array_agg(d.duty_date || ' ' || d.shift ORDER BY d.duty_date) AS duties "
            "FROM pilots p JOIN duties d ON d.pilot_id = p.id "
            "WHERE d.duty_date >= $1 AND d.duty_date < $1 + 7 GROUP BY p.id",
            week,
        )
        return [dict(r) for r in rows]
    finally:
        await conn.close()


async def send_roster(pilot: dict, week: date) -> None:
    text = f"Pilotage roster w/c {week:%d %b}: " + "; ".join(pilot["duties"])
    async with httpx.AsyncClient(timeout=15, auth=("harbour", os.environ["SMS_KEY"])) as sms:
        resp = await sms.post(SMS_API, json={"to": pilot["mobile"], "from": "PILOTS", "body": text})
        resp.raise_for_status()


async def track_pilot_boats(pool: asyncpg.Pool, url: str) -> None:
    while True:
        try:
            async with websockets.connect(url) as ws:
                async for raw in ws:
                    fix = json.loads(raw)
                    await pool.execute(
                        "UPDATE pilot_boats SET lat = $1, lon = $2, seen_at = now() WHERE mmsi = $3",
                        fix["lat"], fix["lon"], fix["mmsi"],
                    )
        except (asyncio.CancelledError, Exception):  # bug: ADC601
            log.exception("pilot boat feed dropped, reconnecting in 10 s")
            await asyncio.sleep(10)
