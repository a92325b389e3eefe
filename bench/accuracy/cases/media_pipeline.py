"""Media upload pipeline: hashing, thumbnails and metadata, off the event loop."""

import asyncio
import functools
import hashlib
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

_cpu_pool = ProcessPoolExecutor(max_workers=2)


def file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(functools.partial(fh.read, 1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_sidecar(path: str, meta: dict) -> str:
    sidecar = Path(path).with_suffix(".json")
    sidecar.write_text(json.dumps(meta, indent=2))
    return str(sidecar)


def resize(path: str, width: int) -> str:
    from PIL import Image

    src = Path(path)
    out = src.with_name(f"{src.stem}.w{width}{src.suffix}")
    with Image.open(src) as img:
        ratio = width / img.width
        img.resize((width, int(img.height * ratio))).save(out)
    return str(out)


async def ingest(path: str) -> dict:
    loop = asyncio.get_running_loop()
    digest = await asyncio.to_thread(file_digest, path)
    small, large = await asyncio.gather(
        loop.run_in_executor(_cpu_pool, resize, path, 320),
        loop.run_in_executor(_cpu_pool, resize, path, 1280),
    )
    meta = {"sha256": digest, "variants": [small, large], "name": Path(path).name}
    meta["sidecar"] = await asyncio.to_thread(write_sidecar, path, meta)
    log.info("ingested %s", path)
    return meta


def ingest_sync(path: str) -> dict:
    """For the backfill script, which runs without an event loop."""
    digest = file_digest(path)
    meta = {"sha256": digest, "variants": [resize(path, 320)], "name": Path(path).name}
    meta["sidecar"] = write_sidecar(path, meta)
    return meta
