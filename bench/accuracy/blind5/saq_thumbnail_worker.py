"""SAQ worker that renders product thumbnails and purges the CDN."""
import asyncio
import contextlib
import io
import time

import aioboto3
import httpx
from PIL import Image
from saq import Queue

BUCKET = "catalog-media"
SIZES = (128, 512)
queue = Queue.from_url("redis://redis:6379/2")


async def startup(ctx):
    stack = contextlib.AsyncExitStack()
    ctx["stack"] = stack
    ctx["s3"] = await stack.enter_async_context(aioboto3.Session().client("s3"))
    ctx["cdn"] = await stack.enter_async_context(httpx.AsyncClient(base_url="https://api.cdn.example", timeout=10))


async def shutdown(ctx):
    await ctx["stack"].aclose()


def _resize(data: bytes, size: int) -> bytes:
    img = Image.open(io.BytesIO(data))
    img.thumbnail((size, size))
    out = io.BytesIO()
    img.convert("RGB").save(out, "WEBP", quality=82)
    return out.getvalue()


async def make_thumbnails(ctx, *, key: str) -> list[str]:
    s3 = ctx["s3"]
    obj = await s3.get_object(Bucket=BUCKET, Key=key)
    async with obj["Body"] as body:
        original = await body.read()
    thumbs = await asyncio.gather(*(asyncio.to_thread(_resize, original, size) for size in SIZES))
    keys = [f"thumbs/{size}/{key.rsplit('.', 1)[0]}.webp" for size in SIZES]
    async with asyncio.TaskGroup() as tg:
        for thumb_key, data in zip(keys, thumbs):
            tg.create_task(s3.put_object(Bucket=BUCKET, Key=thumb_key, Body=data, ContentType="image/webp"))
    await queue.enqueue("purge_cdn", paths=keys)
    return keys


async def purge_cdn(ctx, *, paths: list[str]) -> None:
    for attempt in range(4):
        resp = await ctx["cdn"].post("/purge", json={"paths": paths})
        if resp.status_code != 429:
            resp.raise_for_status()
            return
        await asyncio.sleep(2 ** attempt)
    raise RuntimeError("CDN purge still rate limited")


def wait_for_redis(url: str, attempts: int = 30) -> None:
    """Called by the container entrypoint before the worker starts."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        for _ in range(attempts):
            with contextlib.suppress(redis.ConnectionError):
                client.ping()
                return
            time.sleep(1)
    finally:
        client.close()
    raise SystemExit("redis not reachable")


settings = {
    "queue": queue,
    "functions": [make_thumbnails, purge_cdn],
    "concurrency": 8,
    "startup": startup,
    "shutdown": shutdown,
}
