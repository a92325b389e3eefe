import asyncio
import concurrent.futures
import logging
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)
_EXECUTOR = concurrent.futures.ProcessPoolExecutor(max_workers=2)


def make_thumbnail(src: str, size: tuple[int, int] = (256, 256)) -> str:
    path = Path(src)
    out = path.with_name(f"{path.stem}.thumb{path.suffix}")
    with Image.open(path) as img:
        img.thumbnail(size)
        img.save(out)
    return str(out)


async def thumbnail(src: str) -> str:
    future = _EXECUTOR.submit(make_thumbnail, src)
    return future.result(timeout=30)  # bug: ADC101


async def thumbnail_properly(src: str) -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_EXECUTOR, make_thumbnail, src)


async def on_upload(event: dict) -> dict:
    src = event["path"]
    thumb = await thumbnail(src)
    log.info("thumbnail for %s at %s", src, thumb)
    return {"source": src, "thumbnail": thumb}
