"""Camera platform helper that serves resized snapshots."""
from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path

from PIL import Image

_LOGGER = logging.getLogger(__name__)

THUMB_SIZE = (320, 180)


def _resize(data: bytes, size: tuple[int, int]) -> bytes:
    with Image.open(io.BytesIO(data)) as img:
        img.thumbnail(size)
        out = io.BytesIO()
        img.convert("RGB").save(out, format="JPEG", quality=80)
        return out.getvalue()


def _build_thumbnail(path: Path) -> bytes:
    return _resize(path.read_bytes(), THUMB_SIZE)


class SnapshotArchive:
    def __init__(self, hass, media_dir: Path) -> None:
        self.hass = hass
        self.media_dir = media_dir

    async def async_thumbnail(self, image: bytes) -> bytes:
        return await asyncio.to_thread(_resize, image, THUMB_SIZE)

    async def async_recent_thumbnails(self, paths: list[Path]) -> dict[str, bytes]:
        thumbs: dict[str, bytes] = {}
        for path in paths:
            thumbs[path.name] = await asyncio.to_thread(_build_thumbnail, path)  # bug: ADC501
        return thumbs

    async def async_save_snapshot(self, camera_id: str, image: bytes, stamp: str) -> Path:
        target = self.media_dir / camera_id / f"{stamp}.jpg"
        await self.hass.async_add_executor_job(
            lambda: target.parent.mkdir(parents=True, exist_ok=True)
        )
        img = Image.open(io.BytesIO(image))  # bug: ADC101 @snapshot
        img.save(target, format="JPEG", quality=90)  # bug: ADC101 @snapshot
        _LOGGER.debug("saved snapshot for %s to %s", camera_id, target)
        return target
