"""Trailer and pre-show ingest from the distributors' delivery share."""
import asyncio
import json
import logging
import subprocess

log = logging.getLogger(__name__)

SCREEN_SERVERS = {1: "ims-screen1.local", 2: "ims-screen2.local", 3: "ims-screen3.local"}


def probe_duration(path: str) -> float:
    """ffprobe reads the whole MXF index; 1-4 s on a feature-length DCP reel."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", path],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


async def copy_to_screen(path: str, screen: int) -> None:
    proc = await asyncio.create_subprocess_exec(
        "rsync", "-a", "--partial", path, f"{SCREEN_SERVERS[screen]}:/ingest/",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"rsync to screen {screen} failed: {err.decode(errors='replace')}")
    log.info("copied %s to screen %s", path, screen)
