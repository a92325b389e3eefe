import asyncio
import hashlib
import os
import shutil
from pathlib import Path

import aiofiles.os
from quart import Quart, abort, request, send_file

app = Quart(__name__)
ROOT = Path(os.environ.get("ATTACH_ROOT", "/srv/attachments"))
CHUNK = 1 << 16


def _disk_free_mb() -> int:
    return shutil.disk_usage(ROOT).free // (1 << 20)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@app.before_serving
async def prepare() -> None:
    await aiofiles.os.makedirs(ROOT, exist_ok=True)


@app.post("/attachments")
async def upload():
    if await asyncio.to_thread(_disk_free_mb) < 500:
        abort(507)
    files = await request.files
    storage = files.get("file")
    if storage is None:
        abort(400)
    tmp = ROOT / f".upload-{os.getpid()}-{id(storage)}"
    await storage.save(tmp)
    att_id = await asyncio.to_thread(_sha256_file, tmp)
    await aiofiles.os.replace(tmp, ROOT / att_id)
    return {"id": att_id}, 201


@app.get("/attachments/<att_id>")
async def download(att_id: str):
    if not att_id.isalnum():
        abort(404)
    path = ROOT / att_id
    if not await aiofiles.os.path.exists(path):
        abort(404)
    return await send_file(path, mimetype="application/octet-stream")


@app.delete("/attachments/<att_id>")
async def delete(att_id: str):
    if not att_id.isalnum():
        abort(404)
    try:
        await aiofiles.os.remove(ROOT / att_id)
    except FileNotFoundError:
        abort(404)
    return "", 204


if __name__ == "__main__":
    app.run(port=5005)
