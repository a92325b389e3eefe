"""Cut aerial images into 512 px tiles for the labelling UI (Pillow, sync)."""
from __future__ import annotations

import io

from PIL import Image

TILE = 512
Image.MAX_IMAGE_PIXELS = 600_000_000  # orthomosaics are large on purpose


def make_tiles(blob: bytes) -> list[tuple[int, int, bytes]]:
    img = Image.open(io.BytesIO(blob))
    img.load()
    tiles = []
    for y in range(0, img.height, TILE):
        for x in range(0, img.width, TILE):
            buf = io.BytesIO()
            img.crop((x, y, x + TILE, y + TILE)).save(buf, "WEBP", quality=85)
            tiles.append((x, y, buf.getvalue()))
    return tiles


def thumbnail(blob: bytes, size: int = 320) -> bytes:
    img = Image.open(io.BytesIO(blob))
    img.draft("RGB", (size, size))
    img.thumbnail((size, size))
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=80)
    return buf.getvalue()
