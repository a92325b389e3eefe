import asyncio
import logging
from typing import Any

import asyncpg
import httpx

log = logging.getLogger(__name__)

GEOCODER = "https://geocoder.example.com/search"


async def geocode(client: httpx.AsyncClient, address: str) -> tuple[float, float] | None:
    resp = await client.get(GEOCODER, params={"q": address, "limit": 1})
    hits = resp.json()
    return (hits[0]["lat"], hits[0]["lon"]) if hits else None


async def enrich_row(client: httpx.AsyncClient, pool: asyncpg.Pool, row: Any) -> None:
    coords = await geocode(client, row["address"])
    if coords:
        await pool.execute(
            "UPDATE stores SET lat = $1, lon = $2 WHERE id = $3", *coords, row["id"]
        )


async def run(dsn: str) -> None:
    async with asyncpg.create_pool(dsn) as pool, httpx.AsyncClient(timeout=10) as client:
        rows = await pool.fetch("SELECT id, address FROM stores WHERE lat IS NULL")
        async with asyncio.TaskGroup() as tg:
            for row in rows:
                tg.create_task(enrich_row(client, pool, row))  # bug: ADC502
    log.info("geocoded %d stores", len(rows))
