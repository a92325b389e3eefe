"""arq worker that renders first-page previews of uploaded PDFs (PyMuPDF)."""
import asyncio
import io
import logging
from concurrent.futures import ProcessPoolExecutor

import aioboto3
import fitz  # PyMuPDF
from arq.connections import RedisSettings
from PIL import Image

log = logging.getLogger("pdf_preview")

BUCKET = "uploads"
SIZES = ((1200, "large"), (400, "medium"), (160, "small"))


def render_previews(pdf: bytes) -> dict[str, bytes]:
    with fitz.open(stream=pdf, filetype="pdf") as doc:
        pix = doc[0].get_pixmap(dpi=110)
        base = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    out = {}
    for width, name in SIZES:
        img = base.copy()
        img.thumbnail((width, width * 2))
        buf = io.BytesIO()
        img.save(buf, "WEBP", quality=82)
        out[name] = buf.getvalue()
    return out


async def startup(ctx: dict) -> None:
    ctx["pool"] = ProcessPoolExecutor(max_workers=2)
    ctx["s3_session"] = aioboto3.Session()
    ctx["s3_cm"] = ctx["s3_session"].client("s3", endpoint_url="http://minio:9000")
    ctx["s3"] = await ctx["s3_cm"].__aenter__()


async def shutdown(ctx: dict) -> None:
    await ctx["s3_cm"].__aexit__(None, None, None)
    ctx["pool"].shutdown(wait=True)


async def make_preview(ctx: dict, key: str) -> dict[str, str]:
    s3 = ctx["s3"]
    obj = await s3.get_object(Bucket=BUCKET, Key=key)
    async with obj["Body"] as stream:
        pdf = await stream.read()
    loop = asyncio.get_running_loop()
    previews = await loop.run_in_executor(ctx["pool"], render_previews, pdf)
    stem = key.rsplit(".", 1)[0]
    async with asyncio.TaskGroup() as tg:
        for name, data in previews.items():
            tg.create_task(s3.put_object(Bucket=BUCKET, Key=f"{stem}.{name}.webp", Body=data,
                                         ContentType="image/webp"))
    return {name: f"{stem}.{name}.webp" for name in previews}


async def reprocess_prefix(ctx: dict, prefix: str) -> int:
    """Enqueue previews for every PDF under a prefix, one page of listing at a time."""
    paginator = ctx["s3"].get_paginator("list_objects_v2")
    queued = 0
    async for page in paginator.paginate(Bucket=BUCKET, Prefix=prefix, PaginationConfig={"PageSize": 200}):
        keys = [item["Key"] for item in page.get("Contents", []) if item["Key"].endswith(".pdf")]
        await asyncio.gather(*(ctx["redis"].enqueue_job("make_preview", k) for k in keys))
        queued += len(keys)
    return queued


class WorkerSettings:
    functions = [make_preview, reprocess_prefix]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings(host="redis")
    max_jobs = 8
