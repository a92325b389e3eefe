"""Drying records: lots, curves and the end-of-day export to the hop merchant.

The merchant's quality portal wants the drying curve of every lot that is
sold through it; each upload takes a few seconds on the farm's line.
"""
import json
import logging
import os

import aiohttp
import asyncpg

log = logging.getLogger("kilns.history")

MERCHANT = "https://quality.hopmerchant.example/api/lots"
MERCHANT_KEY = os.environ.get("MERCHANT_KEY", "")


async def log_point(pool: asyncpg.Pool, lot_id: int, state: dict, moisture: float) -> None:
    await pool.execute(
        "INSERT INTO curve (lot_id, ts, air_on_c, air_off_c, moisture) VALUES ($1, now(), $2, $3, $4)",
        lot_id, state["air_on_c"], state["air_off_c"], moisture,
    )


async def close_lot(pool: asyncpg.Pool, lot_id: int, moisture: float) -> None:
    await pool.execute("UPDATE lots SET finished = now(), final_moisture = $2 WHERE id = $1", lot_id, moisture)


async def upload_curve(session: aiohttp.ClientSession, lot: asyncpg.Record) -> None:
    payload = {"variety": lot["variety"], "curve": json.loads(lot["curve"])}
    async with session.put(
        f"{MERCHANT}/{lot['merchant_ref']}/drying-curve", json=payload,
        headers={"Authorization": f"Bearer {MERCHANT_KEY}"},
    ) as resp:
        resp.raise_for_status()


async def export_day(pool: asyncpg.Pool, session: aiohttp.ClientSession) -> int:
    lots = await pool.fetch(
        "SELECT l.id, l.merchant_ref, l.variety, json_agg(json_build_array(c.ts, c.air_on_c, c.moisture)"
        " ORDER BY c.ts) AS curve FROM lots l JOIN curve c ON c.lot_id = l.id"
        " WHERE l.finished::date = current_date AND l.merchant_ref IS NOT NULL GROUP BY l.id"
    )
    for lot in lots:
        await upload_curve(session, lot)  # bug: ADC501
        log.info("curve of lot %s uploaded", lot["id"])
    return len(lots)
