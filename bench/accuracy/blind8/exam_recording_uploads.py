"""Upload service for an online-exam proctoring tool (Quart).

The candidate's browser uploads the webcam recording in 8 MB chunks. When the
last chunk arrives, the file is checked against the SHA-256 the browser
computed, remuxed to MP4 with ffmpeg and stored in S3 for the reviewers.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
from contextlib import AsyncExitStack
from pathlib import Path

import aioboto3
import aiofiles
import aiofiles.os
from quart import Quart, abort, jsonify, request

SPOOL = Path(os.environ.get("SPOOL_DIR", "/var/spool/proctor"))
BUCKET = os.environ.get("RECORDINGS_BUCKET", "proctor-recordings")
REMUX_TIMEOUT = 600
app = Quart(__name__)


@app.before_serving
async def startup() -> None:
    app.stack = AsyncExitStack()
    app.s3 = await app.stack.enter_async_context(aioboto3.Session().client("s3"))
    app.remux_slots = asyncio.Semaphore(int(os.environ.get("REMUX_SLOTS", "2")))


@app.after_serving
async def shutdown() -> None:
    await app.stack.aclose()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


async def remux(src: Path, dst: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        "ffmpeg", "-y", "-loglevel", "error", "-i", str(src), "-c", "copy", "-movflags", "+faststart", str(dst))
    try:
        rc = await asyncio.wait_for(proc.wait(), REMUX_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    if rc != 0:
        raise RuntimeError(f"ffmpeg exited with {rc}")


@app.put("/sessions/<session_id>/chunks/<int:index>")
async def put_chunk(session_id: str, index: int):
    data = await request.get_data()
    await aiofiles.os.makedirs(SPOOL / session_id, exist_ok=True)
    async with aiofiles.open(SPOOL / session_id / f"{index:06d}.part", "wb") as out:
        await out.write(data)
    return jsonify({"stored": index})


@app.post("/sessions/<session_id>/complete")
async def complete(session_id: str):
    body = await request.get_json()
    folder = SPOOL / session_id
    joined, mp4 = folder / "recording.webm", folder / "recording.mp4"
    async with aiofiles.open(joined, "wb") as out:
        for i in range(body["chunks"]):
            async with aiofiles.open(folder / f"{i:06d}.part", "rb") as part:
                await out.write(await part.read())
    if await asyncio.to_thread(sha256_file, joined) != body["sha256"]:
        abort(422, "checksum mismatch")
    async with app.remux_slots:
        await remux(joined, mp4)
    await app.s3.upload_file(str(mp4), BUCKET, f"{session_id}/recording.mp4")
    return jsonify({"session": session_id, "key": f"{session_id}/recording.mp4"})
