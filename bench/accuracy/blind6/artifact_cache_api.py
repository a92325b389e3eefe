"""CI artifact cache: Starlette service that stores build outputs by cache key."""
import asyncio
import os
import shutil
import time
from pathlib import Path

import aiofiles
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

CACHE_ROOT = Path(os.environ.get("CACHE_ROOT", "/srv/ci-cache"))
MAX_AGE_DAYS = 14
_evict_lock = asyncio.Lock()


def _evict_old(root: Path, max_age_days: int) -> int:
    cutoff = time.time() - max_age_days * 86400
    removed = 0
    for entry in root.iterdir():
        if entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def key_dir(key: str) -> Path:
    safe = key.replace("/", "_").replace("..", "_")
    return CACHE_ROOT / safe


async def get_artifact(request: Request) -> Response:
    path = key_dir(request.path_params["key"]) / "artifact.tar.zst"
    if not await asyncio.to_thread(path.exists):
        return JSONResponse({"hit": False}, status_code=404)
    return FileResponse(path, media_type="application/zstd")


async def put_artifact(request: Request) -> Response:
    target = key_dir(request.path_params["key"])
    upload_lock = asyncio.Lock()  # bug: ADC504
    async with upload_lock:
        await asyncio.to_thread(target.mkdir, parents=True, exist_ok=True)
        tmp = target / "artifact.tar.zst.part"
        async with aiofiles.open(tmp, "wb") as fh:
            async for chunk in request.stream():
                await fh.write(chunk)
        await asyncio.to_thread(os.replace, tmp, target / "artifact.tar.zst")
    return JSONResponse({"stored": True}, status_code=201)


async def evict(request: Request) -> Response:
    async with _evict_lock:
        removed = _evict_old(CACHE_ROOT, MAX_AGE_DAYS)  # bug: ADC101
    return JSONResponse({"removed": removed})


async def usage(request: Request) -> Response:
    total, used, free = await asyncio.to_thread(shutil.disk_usage, CACHE_ROOT)
    return JSONResponse({"total": total, "used": used, "free": free})


app = Starlette(routes=[
    Route("/cache/{key:path}", get_artifact, methods=["GET"]),
    Route("/cache/{key:path}", put_artifact, methods=["PUT"]),
    Route("/admin/evict", evict, methods=["POST"]),
    Route("/admin/usage", usage, methods=["GET"]),
])
