import asyncio
import logging
from pathlib import Path

import aiofiles
import aiohttp

log = logging.getLogger(__name__)

MAX_PARALLEL = 8


async def mirror(urls: list[str], dest: Path) -> list[Path]:
    sem = asyncio.Semaphore(MAX_PARALLEL)

    async def one(url: str) -> Path:
        target = dest / url.rsplit("/", 1)[-1]
        async with sem:
            async with aiohttp.ClientSession() as session:  # bug: ADC402
                async with session.get(url) as resp:
                    resp.raise_for_status()
                    async with aiofiles.open(target, "wb") as fh:
                        async for chunk in resp.content.iter_chunked(64 * 1024):
                            await fh.write(chunk)
        return target

    return await asyncio.gather(*(one(u) for u in urls))
