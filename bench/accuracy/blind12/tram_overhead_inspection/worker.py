"""Processing of one measuring-car run: detection, archive, report."""
import asyncio
import logging
import threading
from pathlib import Path

import aiohttp

from . import detect, storage

log = logging.getLogger("ocl.worker")

RUNS_ROOT = Path("/data/ocl/runs")
DASHBOARD = "http://dashboard.depot.internal/api/runs"
MODEL_SLOTS = 6


class Progress:
    def __init__(self, session: aiohttp.ClientSession, run_id: str, total: int) -> None:
        self.session = session
        self.run_id = run_id
        self.total = total
        self.done = 0
        self.finished = threading.Event()

    async def report(self) -> None:
        while not self.finished.is_set():
            async with self.session.put(
                f"{DASHBOARD}/{self.run_id}/progress", json={"done": self.done, "total": self.total}
            ) as resp:
                resp.raise_for_status()
            await asyncio.sleep(10)


async def process_run(run_id: str) -> int:
    folder = RUNS_ROOT / run_id
    frames = await asyncio.to_thread(storage.list_frames, folder)
    slots = asyncio.Semaphore(MODEL_SLOTS)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        progress = Progress(session, run_id, len(frames))
        threading.Thread(target=progress.report, daemon=True).start()  # bug: ADC202

        async def one(frame: Path) -> list[dict]:
            async with slots:
                found = await detect.detect(session, frame)
            progress.done += 1
            return found

        try:
            per_frame = await asyncio.gather(*(one(frame) for frame in frames))
        finally:
            progress.finished.set()
    findings = [f for found in per_frame for f in found]
    archived = storage.archive_frames(run_id, folder)  # bug: ADC101
    await asyncio.to_thread(storage.write_report, run_id, findings)
    log.info("run %s: %d frames archived, %d findings", run_id, archived, len(findings))
    return len(findings)
