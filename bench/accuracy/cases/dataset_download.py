#!/usr/bin/env python3
"""Downloads every file of a dataset manifest, a few at a time.

    dataset_download.py manifest.json ./data --parallel 6
"""

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

import aiofiles
import aiohttp

log = logging.getLogger("download")


async def download(session, sem, url, target: Path):
    async with sem:
        async with session.get(url) as resp:
            resp.raise_for_status()
            async with aiofiles.open(target, "wb") as fh:
                async for chunk in resp.content.iter_chunked(1 << 16):
                    await fh.write(chunk)
    return target


async def download_all(files, out_dir: Path, parallel: int):
    sem = asyncio.Semaphore(parallel)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return await asyncio.gather(
            *(download(session, sem, f["url"], out_dir / f["name"]) for f in files)
        )


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest")
    parser.add_argument("out", type=Path)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("-y", "--yes", action="store_true")
    args = parser.parse_args(argv)
    files = json.loads(Path(args.manifest).read_text())["files"]
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.yes and input(f"download {len(files)} files? [y/N] ").lower() != "y":
        return 1
    paths = asyncio.run(download_all(files, args.out, args.parallel))
    print(f"{len(paths)} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
