"""Watermarked 720p screener copies for the jury's streaming room."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

log = logging.getLogger(__name__)
SCREENERS = Path("/srv/tidewater/screeners")


async def make_screener(sub_id: int, source: Path) -> Path:
    out = SCREENERS / f"{sub_id}.mp4"
    proc = await asyncio.create_subprocess_exec(
        "ffmpeg", "-y", "-loglevel", "error", "-i", str(source),
        "-vf", "scale=-2:720,drawtext=text='TIDEWATER JURY COPY':x=20:y=20:fontsize=24",
        "-c:v", "libx264", "-crf", "26", "-c:a", "aac", str(out),
    )
    if await proc.wait():
        raise RuntimeError(f"ffmpeg failed for submission {sub_id}")
    return out


async def prepare(pool, sub_id: int, source: Path) -> None:
    encode = asyncio.create_task(make_screener(sub_id, source))  # bug: ADC302
    screener = await encode
    await pool.execute(
        "UPDATE submissions SET screener = $2, status = 'ready' WHERE id = $1", sub_id, str(screener)
    )
    log.info("screener ready for %s", sub_id)
