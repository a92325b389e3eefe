"""Nightly sync of dipwell loggers on restored peatland sites.

Every restoration site has its own application on The Things Stack, with
the storage integration enabled. The job pulls the day's uplinks for each
site, stores water-table depths, and on Mondays submits the weekly mean to
the Peatland Code registry.
"""
import asyncio
import base64
import datetime as dt
import json
import logging
import os
import struct

import aiohttp
import asyncpg

log = logging.getLogger("peat-sync")

TTS = "https://eu1.cloud.thethings.network"
TTS_KEY = os.environ["TTS_API_KEY"]
REGISTRY = "https://registry.peatlandcode.example"
DB_DSN = os.environ.get("PEAT_DSN", "postgresql://peat@localhost/dipwells")
PAGE = 500


def decode(site_id: int, uplink: dict) -> tuple:
    msg = uplink["uplink_message"]
    depth_mm, temp_c10, battery_mv = struct.unpack(">hhH", base64.b64decode(msg["frm_payload"]))
    return (
        site_id,
        uplink["end_device_ids"]["device_id"],
        dt.datetime.fromisoformat(msg["received_at"].replace("Z", "+00:00")),
        depth_mm,
        temp_c10 / 10,
        battery_mv,
    )


async def fetch_uplinks(session: aiohttp.ClientSession, app_id: str, after: str) -> list[dict]:
    uplinks: list[dict] = []
    while True:
        url = f"{TTS}/api/v3/as/applications/{app_id}/packages/storage/uplink_message"
        async with session.get(url, params={"after": after, "limit": PAGE}) as resp:
            resp.raise_for_status()
            body = await resp.text()
        batch = [json.loads(line)["result"] for line in body.splitlines() if line.strip()]
        uplinks.extend(batch)
        if len(batch) < PAGE:
            return uplinks
        after = batch[-1]["received_at"]


async def push_to_registry(summary: dict) -> str:
    session = aiohttp.ClientSession(base_url=REGISTRY)  # bug: ADC401
    async with session.post("/v1/water-table", json=summary) as resp:
        resp.raise_for_status()
        return (await resp.json())["submission_id"]


async def weekly_summary(pool: asyncpg.Pool, week_end: dt.date) -> dict:
    rows = await pool.fetch(
        "SELECT s.registry_id, avg(r.depth_mm) AS mean_mm, count(*) AS n"
        " FROM readings r JOIN sites s ON s.id = r.site_id"
        " WHERE r.received_at >= $1::date - 7 AND r.received_at < $1::date"
        " GROUP BY s.registry_id",
        week_end,
    )
    return {
        "week_ending": week_end.isoformat(),
        "sites": [
            {"id": r["registry_id"], "mean_depth_mm": round(r["mean_mm"], 1), "n": r["n"]}
            for r in rows
        ],
    }


async def nightly() -> None:
    pool = await asyncpg.create_pool(DB_DSN, max_size=4)
    headers = {"Authorization": f"Bearer {TTS_KEY}"}
    try:
        sites = await pool.fetch("SELECT id, tts_app, last_sync FROM sites WHERE active")
        async with aiohttp.ClientSession(headers=headers) as session:
            for site in sites:
                uplinks = await fetch_uplinks(session, site["tts_app"], site["last_sync"].isoformat())  # bug: ADC501
                rows = [decode(site["id"], u) for u in uplinks]
                if not rows:
                    log.warning("site %s: no uplinks since %s", site["tts_app"], site["last_sync"])
                    continue
                async with pool.acquire() as conn, conn.transaction():
                    await conn.executemany(
                        "INSERT INTO readings (site_id, device, received_at, depth_mm, temp_c, battery_mv)"
                        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                        rows,
                    )
                    await conn.execute(
                        "UPDATE sites SET last_sync = $2 WHERE id = $1", site["id"], rows[-1][2]
                    )
        today = dt.date.today()
        if today.weekday() == 0:
            submission = await push_to_registry(await weekly_summary(pool, today))
            log.info("weekly summary submitted as %s", submission)
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(nightly())
