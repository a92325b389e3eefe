#!/usr/bin/env python3
"""Nightly: dump the databases in parallel, pack them, copy off-site, report."""
import asyncio
import datetime as dt
import logging
import os
import shutil

import aiohttp

log = logging.getLogger("backup")

DATABASES = ("crm", "billing", "auth")
DUMP_DIR = "/var/backups/pg/today"
ARCHIVE_BASE = "/var/backups/pg/nightly"
HEALTHCHECK = os.environ.get("HC_URL", "https://hc-ping.com/00000000-0000-0000-0000-000000000000")


async def dump(db: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        "pg_dump", "--format=custom", f"--file={DUMP_DIR}/{db}.dump", db
    )
    rc = await proc.wait()
    if rc != 0:
        raise RuntimeError(f"pg_dump {db} exited {rc}")


async def ping(session: aiohttp.ClientSession, suffix: str = "") -> None:
    async with session.get(HEALTHCHECK + suffix) as r:
        r.raise_for_status()


async def main() -> int:
    stamp = dt.date.today().isoformat()
    async with aiohttp.ClientSession() as session:
        await ping(session, "/start")
        try:
            await asyncio.gather(*(dump(db) for db in DATABASES))
            archive = shutil.make_archive(f"{ARCHIVE_BASE}-{stamp}", "gztar", DUMP_DIR)  # bug: ADC101
            rc = os.system(f"rclone copy {archive} offsite:pg-backups/")  # bug: ADC101
            if rc != 0:
                raise RuntimeError(f"rclone exited {rc}")
        except Exception:
            log.exception("backup failed")
            await ping(session, "/fail")
            return 1
        await ping(session)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    os.makedirs(DUMP_DIR, exist_ok=True)
    raise SystemExit(asyncio.run(main()))
