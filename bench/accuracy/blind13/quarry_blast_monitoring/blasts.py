"""What happens after each blast, and re-filtering stored records for the regulator."""
from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime

import aiohttp

from . import seismographs

log = logging.getLogger(__name__)

# Monitoring positions fixed by the planning permission (condition 31).
MONITORS = {
    "VM-1104": "Low Barn Farm",
    "VM-1107": "3 Quarry Cottages",
    "VM-1112": "St Anne's School",
    "VM-1120": "Edge Lane (north)",
    "VM-1121": "Hollins Hall",
}
PPV_LIMIT = 6.0


async def after_blast(pool, session: aiohttp.ClientSession, blast_id: int, fired_at: datetime) -> list[str]:
    events = await asyncio.gather(
        *(seismographs.pull_event(session, unit, fired_at) for unit in MONITORS)
    )
    exceed = []
    async with pool.acquire() as conn, conn.transaction():
        for unit, event in zip(MONITORS, events):
            if event is None:
                continue
            await conn.execute(
                "INSERT INTO readings (blast_id, unit, record_id, ppv) VALUES ($1, $2, $3, $4)",
                blast_id, unit, event["id"], event["ppv_mm_s"],
            )
            if event["ppv_mm_s"] > PPV_LIMIT:
                exceed.append(MONITORS[unit])
    return exceed


async def reprocess_period(pool, session: aiohttp.ClientSession, start: date, end: date) -> int:
    """Re-filters every stored trigger (blasts, lorries, farm machinery) for the regulator."""
    records = await pool.fetch(
        "SELECT record_id FROM triggers WHERE recorded_at >= $1 AND recorded_at < $2", start, end
    )
    results = await asyncio.gather(*(seismographs.recompute_ppv(session, r["record_id"]) for r in records))  # bug: ADC502
    async with pool.acquire() as conn:
        await conn.executemany(
            "UPDATE triggers SET ppv_filtered = $2 WHERE record_id = $1",
            [(res["id"], res["ppv_mm_s"]) for res in results],
        )
    return len(results)
