import asyncio
import logging
import os
import shlex
import subprocess

log = logging.getLogger(__name__)

FFMPEG = os.environ.get("FFMPEG", "ffmpeg")
PRESETS = {"720p": ["-vf", "scale=-2:720", "-b:v", "2500k"], "480p": ["-vf", "scale=-2:480"]}


def output_name(src: str, preset: str) -> str:
    base, _ = os.path.splitext(os.path.basename(src))
    return os.path.join(os.path.dirname(src), f"{base}.{preset}.mp4")


async def transcode(src: str, preset: str) -> str:
    out = output_name(src, preset)
    args = [FFMPEG, "-y", "-i", src, *PRESETS[preset], out]
    log.info("running %s", shlex.join(args))
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(err.decode(errors="replace")[-2000:])
    return out


async def probe_duration(src: str) -> float:
    result = await asyncio.to_thread(
        subprocess.run,
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", src],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip())


async def transcode_all_presets(src: str) -> dict[str, str]:
    duration = await probe_duration(src)
    log.info("%s is %.1fs long", src, duration)
    outputs = await asyncio.gather(*(transcode(src, p) for p in ("720p", "480p")))
    return dict(zip(("720p", "480p"), outputs))
