"""Admin endpoint: row counts across the sharded events store."""

import logging

import asyncpg
from aiohttp import web

log = logging.getLogger(__name__)


async def count_shard(pool: asyncpg.Pool, shard: int) -> int:
    return await pool.fetchval(f"SELECT count(*) FROM events_{shard:02d}")


async def counts(request: web.Request) -> web.Response:
    pool = request.app["pool"]
    shards = request.app["config"]["shards"]
    result = {}
    for shard in range(shards):
        result[f"events_{shard:02d}"] = await count_shard(pool, shard)  # bug: ADC501
    return web.json_response({"total": sum(result.values()), "shards": result})


async def drop_old(request: web.Request) -> web.Response:
    pool = request.app["pool"]
    async with pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute("LOCK TABLE events_meta")
            status = await conn.execute("DELETE FROM events_meta WHERE expired")
    return web.json_response({"status": status})
