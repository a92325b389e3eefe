"""One job = one uploaded video -> several HLS renditions + a master playlist."""
import asyncio
import dataclasses
import logging
import re

from . import probe, storage

log = logging.getLogger("transcode")
LADDER = {"1080p": ("1920x1080", "5000k"), "720p": ("1280x720", "2800k"), "480p": ("854x480", "1200k")}
TIME_RE = re.compile(rb"out_time_ms=(\d+)")


@dataclasses.dataclass
class TranscodeJob:
    id: str
    src: str
    workdir: str


async def encode(job: TranscodeJob, name: str, duration: float, with_audio: bool, progress) -> str:
    size, bitrate = LADDER[name]
    out = f"{job.workdir}/{name}.mp4"
    args = ["-y", "-i", job.src, "-s", size, "-b:v", bitrate, "-c:v", "libx264", "-progress", "pipe:1"]
    args += ["-c:a", "aac"] if with_audio else ["-an"]
    proc = await asyncio.create_subprocess_exec("ffmpeg", *args, out, stdout=asyncio.subprocess.PIPE)
    async for line in proc.stdout:
        if m := TIME_RE.search(line):
            await progress(job.id, name, int(m.group(1)) / 1e6 / duration)
    if await proc.wait() != 0:
        raise RuntimeError(f"ffmpeg failed for {job.id}/{name}")
    return out


async def run_job(job: TranscodeJob, progress) -> dict[str, str]:
    duration = probe.probe_duration(job.src)  # bug: ADC101
    streams = await probe.probe_streams(job.src)
    with_audio = probe.has_audio(streams)
    async with asyncio.TaskGroup() as tg:
        tasks = {name: tg.create_task(encode(job, name, duration, with_audio, progress)) for name in LADDER}
    urls = {}
    async with storage.client() as s3:
        for name, task in tasks.items():
            urls[name] = await storage.upload(s3, task.result(), f"{job.id}/{name}.mp4", "video/mp4")  # bug: ADC501
        playlist = "#EXTM3U\n" + "".join(f"#EXT-X-STREAM-INF:RESOLUTION={LADDER[n][0]}\n{n}.mp4\n" for n in urls)
        await asyncio.create_task(storage.put_text(s3, f"{job.id}/master.m3u8", playlist, "application/x-mpegURL"))  # bug: ADC302
    log.info("job %s done: %s", job.id, ", ".join(urls))
    return urls
