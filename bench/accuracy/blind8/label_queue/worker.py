"""arq jobs: tile uploads, preview batches and consensus scoring."""
from __future__ import annotations

import asyncio
import logging
import os
from contextlib import AsyncExitStack

import asyncpg
from arq.connections import RedisSettings

from . import consensus, storage, tiling

log = logging.getLogger(__name__)


async def startup(ctx: dict) -> None:
    ctx["stack"] = stack = AsyncExitStack()
    ctx["s3"] = await stack.enter_async_context(storage.session.client("s3"))
    ctx["db"] = await asyncpg.create_pool(os.environ["LABELS_DSN"], max_size=4)
    ctx["upload_sem"] = asyncio.Semaphore(16)


async def shutdown(ctx: dict) -> None:
    await ctx["db"].close()
    await ctx["stack"].aclose()


async def tile_image(ctx: dict, image_key: str) -> int:
    blob = await storage.get_object(ctx["s3"], image_key)
    tiles = tiling.make_tiles(blob)  # bug: ADC101

    async def put(x: int, y: int, data: bytes) -> None:
        async with ctx["upload_sem"]:
            await storage.put_object(ctx["s3"], f"tiles/{image_key}/{x}_{y}.webp", data, "image/webp")

    await asyncio.gather(*(put(x, y, data) for x, y, data in tiles))
    return len(tiles)


async def make_preview(ctx: dict, key: str) -> str:
    blob = await storage.get_object(ctx["s3"], key)
    thumb = await asyncio.to_thread(tiling.thumbnail, blob)
    preview_key = key.replace("uploads/", "previews/", 1)
    await storage.put_object(ctx["s3"], preview_key, thumb, "image/jpeg")
    return preview_key


async def ingest_batch(ctx: dict, batch_id: str) -> int:
    keys = await storage.batch_keys(ctx["s3"], batch_id)
    previews = await asyncio.gather(*(make_preview(ctx, k) for k in keys))  # bug: ADC502
    await ctx["db"].executemany(
        "INSERT INTO items (batch_id, image_key, preview_key) VALUES ($1, $2, $3)",
        [(batch_id, k, p) for k, p in zip(keys, previews)],
    )
    # tiles are cut lazily: the UI enqueues tile_image when a labeller opens an item
    return len(keys)


async def score_consensus(ctx: dict, task_id: int) -> str | None:
    try:
        rows = await ctx["db"].fetch("SELECT label FROM annotations WHERE task_id = $1", task_id)
        label, agreement = consensus.majority([r["label"] for r in rows])
        await ctx["db"].execute(
            "UPDATE tasks SET gold = $2, agreement = $3, state = 'scored' WHERE id = $1",
            task_id, label, agreement,
        )
        return label
    except asyncio.CancelledError:  # bug: ADC601
        log.warning("consensus for task %s hit the job timeout", task_id)
        return None


class WorkerSettings:
    functions = [tile_image, ingest_batch, score_consensus]
    on_startup = startup
    on_shutdown = shutdown
    job_timeout = 600
    redis_settings = RedisSettings.from_dsn(os.environ.get("REDIS_DSN", "redis://localhost:6379"))
