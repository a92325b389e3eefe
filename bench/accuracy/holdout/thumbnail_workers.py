"""Replacement for the Celery `thumbnails` queue: a fixed pool of asyncio
workers fed from Redis, images resized in a process pool."""
import asyncio
import io
import json
import logging
import os
import signal
from concurrent.futures import ProcessPoolExecutor

import aiohttp
from PIL import Image
from redis import asyncio as aioredis

log = logging.getLogger("thumbs")

N_WORKERS = int(os.environ.get("THUMB_WORKERS", "8"))
QUEUE_KEY = "queue:thumbnails"


def resize(data: bytes, size: int) -> bytes:
    img = Image.open(io.BytesIO(data))
    img.thumbnail((size, size))
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=82)
    return buf.getvalue()


async def worker(n, redis, session, pool, stop: asyncio.Event):
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        item = await redis.blpop(QUEUE_KEY, timeout=5)
        if item is None:
            continue
        job = json.loads(item[1])
        try:
            async with session.get(job["src"]) as r:
                r.raise_for_status()
                data = await r.read()
            thumb = await loop.run_in_executor(pool, resize, data, job.get("size", 320))
            async with session.put(job["dst"], data=thumb, headers={"Content-Type": "image/jpeg"}) as r:
                r.raise_for_status()
        except aiohttp.ClientError as exc:
            log.warning("worker %d: job %s failed: %s", n, job.get("id"), exc)
            await redis.rpush(QUEUE_KEY + ":failed", item[1])


async def main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost"))
    pool = ProcessPoolExecutor(max_workers=os.cpu_count())
    try:
        async with aiohttp.ClientSession() as session:
            workers = [
                asyncio.create_task(worker(i, redis, session, pool, stop)) for i in range(N_WORKERS)
            ]
            await asyncio.gather(*workers)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        await redis.aclose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
