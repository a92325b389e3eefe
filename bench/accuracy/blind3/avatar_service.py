from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
from pathlib import Path

from fastapi import FastAPI, HTTPException, UploadFile
from fastapi.responses import Response
from PIL import Image, UnidentifiedImageError

app = FastAPI()

AVATAR_DIR = Path("/var/lib/avatars")
SIZES = (32, 64, 128, 256)
_default_png: bytes | None = None


def _normalise(data: bytes) -> dict[int, bytes]:
    out = {}
    with Image.open(io.BytesIO(data)) as img:
        img = img.convert("RGBA")
        side = min(img.size)
        img = img.crop(((img.width - side) // 2, (img.height - side) // 2, (img.width + side) // 2, (img.height + side) // 2))
        for size in SIZES:
            buf = io.BytesIO()
            img.resize((size, size), Image.LANCZOS).save(buf, format="PNG", optimize=True)
            out[size] = buf.getvalue()
    return out


def _write_variants(user_id: str, variants: dict[int, bytes]) -> None:
    folder = AVATAR_DIR / user_id
    folder.mkdir(parents=True, exist_ok=True)
    for size, png in variants.items():
        (folder / f"{size}.png").write_bytes(png)


async def default_avatar() -> bytes:
    global _default_png
    if _default_png is None:
        _default_png = await asyncio.to_thread((AVATAR_DIR / "default.png").read_bytes)
    return _default_png


@app.put("/avatars/{user_id}")
async def upload_avatar(user_id: str, file: UploadFile) -> dict:
    data = await file.read()
    if len(data) > 4 * 1024 * 1024:
        raise HTTPException(413, "avatar too large")
    try:
        variants = await asyncio.to_thread(_normalise, data)
    except UnidentifiedImageError:
        raise HTTPException(415, "not an image")
    await asyncio.to_thread(_write_variants, user_id, variants)
    return {"etag": hashlib.sha256(variants[256]).hexdigest()[:16], "sizes": list(SIZES)}


@app.get("/avatars/{user_id}/{size}.png")
async def get_avatar(user_id: str, size: int) -> Response:
    if size not in SIZES:
        raise HTTPException(404)
    path = AVATAR_DIR / user_id / f"{size}.png"
    try:
        png = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        png = await default_avatar()
    return Response(png, media_type="image/png", headers={"Cache-Control": "public, max-age=3600"})


@app.post("/avatars/bulk-meta")
async def bulk_meta(file: UploadFile) -> dict:
    raw = await file.read()
    with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
        entries = json.loads(gz.read())
    return {"count": len(entries), "users": sorted({e["user_id"] for e in entries})[:50]}


@app.get("/avatars/export.json.gz")
async def export_index() -> Response:
    index = {"sizes": SIZES, "default": "/avatars/default.png"}
    return Response(gzip.compress(json.dumps(index).encode()), media_type="application/gzip")
