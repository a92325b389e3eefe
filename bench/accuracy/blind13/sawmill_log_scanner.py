"""Grades scanned logs and fetches cutting patterns at Alder Creek sawmill.

The 3D scanner at the log deck writes one point cloud per log (.npy, 300 to
600 MB each) into a folder per truck delivery. This job grades every log
locally and asks the optimiser service for a cutting pattern, then files
the delivery with the yard system. It runs every 20 minutes from cron.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aiohttp
import numpy as np

log = logging.getLogger("logscan")
INCOMING = Path("/srv/scanner/incoming")
DONE = Path("/srv/scanner/done")
OPTIMISER = "https://optimiser.sawtech.example/v4/patterns"
YARD = "http://yard.aldercreek.lan/api/deliveries"


def grade_log(path: Path) -> dict:
    cloud = np.load(path, mmap_mode="r")
    radii = np.hypot(cloud[:, 0], cloud[:, 1])
    length = float(cloud[:, 2].max() - cloud[:, 2].min())
    small_end = float(np.percentile(radii[cloud[:, 2] > cloud[:, 2].max() - 0.3], 50)) * 2
    grade = "A" if small_end >= 0.35 else "B" if small_end >= 0.22 else "pulp"
    return {"log": path.stem, "length_m": round(length, 2), "sed_m": round(small_end, 3), "grade": grade}


def read_manifest(batch: Path) -> dict:
    """The scanner writes manifest.json last, next to the COMPLETE marker."""
    return json.loads((batch / "manifest.json").read_text())


async def cutting_pattern(
    session: aiohttp.ClientSession, path: Path, grade: dict, species: str, limit: asyncio.Semaphore
) -> dict:
    async with limit:
        cloud = np.load(path)  # bug: ADC101
        profile = cloud[:: max(1, len(cloud) // 20000)].round(4).tolist()
        del cloud
        body = {"species": species, "grade": grade["grade"], "profile": profile}
        async with session.post(OPTIMISER, json=body) as resp:
            resp.raise_for_status()
            pattern = await resp.json()
    return {**grade, "pattern": pattern["id"], "yield": pattern["recovery"]}


async def process_batch(batch: Path, procs: ProcessPoolExecutor) -> dict:
    loop = asyncio.get_running_loop()
    manifest = await asyncio.to_thread(read_manifest, batch)
    species = manifest.get("species", "douglas-fir")
    paths = await asyncio.to_thread(lambda: sorted(batch.glob("*.npy")))
    grades = await asyncio.gather(*(loop.run_in_executor(procs, grade_log, p) for p in paths))
    headers = {"Authorization": f"Bearer {os.environ['SAWTECH_TOKEN']}"}
    limit = asyncio.Semaphore(4)
    async with aiohttp.ClientSession(headers=headers) as session:
        sawlogs = [(p, g) for p, g in zip(paths, grades) if g["grade"] != "pulp"]
        patterns = await asyncio.gather(*(cutting_pattern(session, p, g, species, limit) for p, g in sawlogs))
        report = {
            "delivery": batch.name,
            "supplier": manifest["supplier"],
            "truck": manifest["truck"],
            "logs": len(grades),
            "pulp": sum(1 for g in grades if g["grade"] == "pulp"),
            "sawlogs": patterns,
        }
        async with session.post(YARD, json=report) as resp:
            resp.raise_for_status()
    return report


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO)
    only = set(argv[1:])
    batches = sorted(
        d for d in INCOMING.iterdir()
        if d.is_dir() and (d / "COMPLETE").exists() and (not only or d.name in only)
    )
    if not batches:
        log.info("nothing to do")
        return 0
    with ProcessPoolExecutor(max_workers=3) as procs:
        for batch in batches:
            try:
                report = asyncio.run(process_batch(batch, procs))  # bug: ADC505
            except aiohttp.ClientError:
                log.exception("delivery %s not filed; will retry next run", batch.name)
                continue
            (batch / "report.json").write_text(json.dumps(report, indent=2))
            shutil.move(str(batch), DONE / batch.name)
            log.info("delivery %s: %d logs, %d pulp", batch.name, report["logs"], report["pulp"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
