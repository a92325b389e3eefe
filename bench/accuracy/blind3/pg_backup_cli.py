#!/usr/bin/env python3
"""pgbackup: dump a database with pg_dump and ship it to object storage."""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import sys
from pathlib import Path

import aiofiles
import httpx

log = logging.getLogger("pgbackup")

CHUNK = 4 * 1024 * 1024


async def dump(dsn: str, target: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        "pg_dump", "--format=custom", "--compress=6", f"--file={target}", dsn,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"pg_dump failed ({proc.returncode}): {err.decode(errors='replace')}")


async def _chunks(path: Path):
    async with aiofiles.open(path, "rb") as fh:
        while chunk := await fh.read(CHUNK):
            yield chunk


async def upload(endpoint: str, token: str, path: Path, key: str) -> None:
    client = httpx.AsyncClient(base_url=endpoint, headers={"Authorization": f"Bearer {token}"}, timeout=None)  # bug: ADC401
    resp = await client.put(f"/backups/{key}", content=_chunks(path))
    resp.raise_for_status()
    log.info("uploaded %s (%s)", key, resp.headers.get("etag"))


async def prune(endpoint: str, token: str, keep: int) -> int:
    async with httpx.AsyncClient(base_url=endpoint, headers={"Authorization": f"Bearer {token}"}) as client:
        resp = await client.get("/backups", params={"prefix": "pg/"})
        resp.raise_for_status()
        keys = sorted(item["key"] for item in resp.json()["items"])
        stale = keys[:-keep] if keep else keys
        for key in stale:
            delete = await client.delete(f"/backups/{key}")
            delete.raise_for_status()
        return len(stale)


async def run(args: argparse.Namespace) -> int:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = Path(args.workdir) / f"{args.database}-{stamp}.dump"
    await dump(args.dsn, target)
    await upload(args.endpoint, args.token, target, f"pg/{target.name}")
    await asyncio.to_thread(target.unlink)
    if args.keep:
        prune(args.endpoint, args.token, args.keep)  # bug: ADC201
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="pgbackup")
    parser.add_argument("database")
    parser.add_argument("--dsn", default=os.environ.get("PGBACKUP_DSN"))
    parser.add_argument("--endpoint", default=os.environ.get("PGBACKUP_ENDPOINT"))
    parser.add_argument("--token", default=os.environ.get("PGBACKUP_TOKEN"))
    parser.add_argument("--workdir", default="/var/tmp")
    parser.add_argument("--keep", type=int, default=14)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
