"""Records BigBlueButton meetings by pulling their RTMP mirror through ffmpeg."""
import asyncio
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

log = logging.getLogger("recorder")
OUT_DIR = Path("/var/recordings")


@dataclass
class Recording:
    meeting_id: str
    proc: asyncio.subprocess.Process
    path: Path
    bytes_seen: int = 0
    notes: list[str] = field(default_factory=list)


class Recorder:
    def __init__(self) -> None:
        self.active: dict[str, Recording] = {}
        self._state_lock = threading.Lock()  # also read by the prometheus collector thread
        self._watchers: set[asyncio.Task] = set()

    async def start(self, meeting_id: str, rtmp_url: str) -> Recording:
        path = OUT_DIR / f"{meeting_id}.mkv"
        proc = await asyncio.create_subprocess_exec(
            "ffmpeg", "-nostdin", "-loglevel", "warning", "-i", rtmp_url, "-c", "copy", str(path),
            stderr=asyncio.subprocess.PIPE,
        )
        rec = Recording(meeting_id, proc, path)
        with self._state_lock:
            self.active[meeting_id] = rec
        watcher = asyncio.create_task(self._watch(rec))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return rec

    async def _watch(self, rec: Recording) -> None:
        async for line in rec.proc.stderr:
            rec.notes.append(line.decode(errors="replace").rstrip())
        code = await rec.proc.wait()
        log.info("ffmpeg for %s exited with %s", rec.meeting_id, code)
        with self._state_lock:
            self.active.pop(rec.meeting_id, None)

    async def stop(self, meeting_id: str) -> Path | None:
        with self._state_lock:  # bug: ADC102
            rec = self.active.get(meeting_id)
            if rec is None:
                return None
            rec.proc.terminate()
            await rec.proc.wait()
        return rec.path

    async def _publish(self, path: Path) -> None:
        proc = await asyncio.create_subprocess_exec("rclone", "copy", str(path), "archive:recordings/")
        await proc.wait()


async def handle_start(request: web.Request) -> web.Response:
    body = await request.json()
    rec = await request.app["recorder"].start(body["meeting_id"], body["rtmp_url"])
    return web.json_response({"recording": str(rec.path)}, status=201)


async def handle_stop(request: web.Request) -> web.Response:
    recorder: Recorder = request.app["recorder"]
    path = await recorder.stop(request.match_info["meeting_id"])
    if path is None:
        raise web.HTTPNotFound()
    asyncio.create_task(recorder._publish(path))  # bug: ADC301
    return web.json_response({"stopped": str(path)})


app = web.Application()
app["recorder"] = Recorder()
app.router.add_post("/recordings", handle_start)
app.router.add_delete("/recordings/{meeting_id}", handle_stop)
