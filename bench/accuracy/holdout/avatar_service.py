"""Avatar upload/resize service.  All blocking work is pushed off the loop."""
import asyncio
import contextlib
import hashlib
import io
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
from fastapi import FastAPI, HTTPException, UploadFile
from PIL import Image

AVATAR_DIR = Path(os.environ.get("AVATAR_DIR", "/srv/avatars"))
SIZES = (32, 64, 256)


def _resize_all(data: bytes) -> dict[int, bytes]:
    out = {}
    src = Image.open(io.BytesIO(data)).convert("RGB")
    for size in SIZES:
        img = src.copy()
        img.thumbnail((size, size))
        buf = io.BytesIO()
        img.save(buf, "WEBP", quality=80)
        out[size] = buf.getvalue()
    return out


def _write_all(user_id: int, images: dict[int, bytes]) -> None:
    folder = AVATAR_DIR / str(user_id)
    folder.mkdir(parents=True, exist_ok=True)
    for size, data in images.items():
        (folder / f"{size}.webp").write_bytes(data)


def _api_key_digest(key: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", key.encode(), b"avatar-svc", 200_000).hex()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.cpu = ProcessPoolExecutor(max_workers=2)
    app.state.http = httpx.AsyncClient(timeout=5)
    app.state.known_digests = set(os.environ.get("API_KEY_DIGESTS", "").split(","))
    try:
        yield
    finally:
        await app.state.http.aclose()
        app.state.cpu.shutdown(wait=False, cancel_futures=True)


app = FastAPI(lifespan=lifespan)


@app.put("/users/{user_id}/avatar")
async def upload(user_id: int, file: UploadFile):
    data = await file.read()
    if len(data) > 5_000_000:
        raise HTTPException(413, "too large")
    loop = asyncio.get_running_loop()
    images = await loop.run_in_executor(app.state.cpu, _resize_all, data)
    await asyncio.to_thread(_write_all, user_id, images)
    return {"sizes": list(images)}


@app.post("/users/{user_id}/avatar/from-url")
async def from_url(user_id: int, url: str):
    r = await app.state.http.get(url, follow_redirects=True)
    if r.status_code != 200:
        raise HTTPException(400, f"upstream said {r.status_code}")
    images = await asyncio.get_running_loop().run_in_executor(app.state.cpu, _resize_all, r.content)
    await asyncio.to_thread(_write_all, user_id, images)
    return {"sizes": list(images)}


@app.post("/keys/check")
async def check_key(key: str):
    digest = await asyncio.get_running_loop().run_in_executor(app.state.cpu, _api_key_digest, key)
    return {"known": digest in app.state.known_digests}
