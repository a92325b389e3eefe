"""ffprobe wrappers. `probe` is also used by the archivist's offline checker script."""
from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

FFPROBE = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]


def probe(path: Path) -> dict:
    done = subprocess.run([*FFPROBE, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


async def probe_async(path: Path) -> dict:
    proc = await asyncio.create_subprocess_exec(
        *FFPROBE, str(path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"ffprobe failed on {path.name}: {err.decode()[:200]}")
    return json.loads(out)


def summarize(info: dict) -> dict:
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return {
        "duration_s": float(info["format"]["duration"]),
        "codec": video["codec_name"],
        "width": video["width"],
        "height": video["height"],
        "audio_tracks": sum(1 for s in info["streams"] if s["codec_type"] == "audio"),
    }
