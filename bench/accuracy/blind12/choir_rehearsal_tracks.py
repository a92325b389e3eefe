"""Rehearsal tracks for a community choir (FastAPI).

The music director uploads the MIDI-rendered WAV stems of a piece, one per
voice part. The service mixes a learning track for each part (that part
loud, the others soft), encodes it to MP3 with ffmpeg and stores it in
S3 for the members' app.
"""
import asyncio
import logging
import os
import shutil
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

import aiofiles
import asyncpg
import boto3
from fastapi import FastAPI, HTTPException, Request, UploadFile

log = logging.getLogger("choir")

DB_DSN = os.environ.get("CHOIR_DSN", "postgresql://choir@localhost/tracks")
BUCKET = "choir-rehearsal-tracks"
PARTS = ("soprano", "alto", "tenor", "bass")
s3 = boto3.client("s3")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DB_DSN, max_size=4)
    app.state.encoders = asyncio.Semaphore(2)
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def mix_part(stems: dict[str, Path], part: str, out: Path, encoders: asyncio.Semaphore) -> Path:
    inputs, weights = [], []
    for name in PARTS:
        inputs += ["-i", str(stems[name])]
        weights.append("1.0" if name == part else "0.25")
    graph = f"amix=inputs={len(PARTS)}:weights={' '.join(weights)}:normalize=0"
    async with encoders:
        proc = await asyncio.create_subprocess_exec(
            "ffmpeg", "-y", "-loglevel", "error", *inputs, "-filter_complex", graph,
            "-codec:a", "libmp3lame", "-q:a", "4", str(out),
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed for {part}: {err.decode(errors='replace')[:300]}")
    return out


async def save(upload: UploadFile, path: Path) -> None:
    async with aiofiles.open(path, "wb") as fh:
        while chunk := await upload.read(1 << 20):
            await fh.write(chunk)


async def publish(piece_id: int, part: str, mp3: Path) -> str:
    key = f"pieces/{piece_id}/{part}.mp3"
    await asyncio.to_thread(s3.upload_file, str(mp3), BUCKET, key, ExtraArgs={"ContentType": "audio/mpeg"})
    return key


@app.post("/pieces/{piece_id}/stems")
async def upload_stems(piece_id: int, request: Request, soprano: UploadFile, alto: UploadFile,
                       tenor: UploadFile, bass: UploadFile) -> dict:
    uploads = {"soprano": soprano, "alto": alto, "tenor": tenor, "bass": bass}
    pool = request.app.state.pool
    title = await pool.fetchval("SELECT title FROM pieces WHERE id = $1", piece_id)
    if title is None:
        raise HTTPException(404, "unknown piece")
    work = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="choir-"))
    try:
        stems = {part: work / f"{part}.wav" for part in PARTS}
        await asyncio.gather(*(save(uploads[part], stems[part]) for part in PARTS))
        async with asyncio.TaskGroup() as tg:
            mixes = {
                part: tg.create_task(mix_part(stems, part, work / f"{part}.mp3", request.app.state.encoders))
                for part in PARTS
            }
        keys = await asyncio.gather(*(publish(piece_id, part, mixes[part].result()) for part in PARTS))
    finally:
        await asyncio.to_thread(shutil.rmtree, work, ignore_errors=True)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM tracks WHERE piece_id = $1", piece_id)
        await conn.executemany(
            "INSERT INTO tracks (piece_id, part, s3_key) VALUES ($1, $2, $3)",
            [(piece_id, part, key) for part, key in zip(PARTS, keys)],
        )
    log.info("%s: %d learning tracks published", title, len(keys))
    return {"piece": piece_id, "tracks": dict(zip(PARTS, keys))}


@app.get("/pieces/{piece_id}/tracks/{part}")
async def track_link(piece_id: int, part: str, request: Request) -> dict:
    if part not in PARTS:
        raise HTTPException(404, "unknown part")
    key = await request.app.state.pool.fetchval(
        "SELECT s3_key FROM tracks WHERE piece_id = $1 AND part = $2", piece_id, part
    )
    if key is None:
        raise HTTPException(404, "no track yet")
    url = await asyncio.to_thread(
        s3.generate_presigned_url, "get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=3600
    )
    return {"url": url}
