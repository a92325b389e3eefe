"""Counting germinated seeds on the photos of a germination test.

A test is a Petri dish of 50 or 100 seeds on agar, photographed from
above at 24 megapixels. A seed counts as germinated once its radicle is
visible, which shows up as a bright blob larger than the seed coat.
"""
import io

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

THRESHOLD = 168
MIN_RADICLE_PX = 900
PREVIEW_PX = 800


def _load(raw: bytes) -> Image.Image:
    return Image.open(io.BytesIO(raw)).convert("L")


def count_germinated(raw: bytes) -> int:
    img = _load(raw).filter(ImageFilter.GaussianBlur(2))
    mask = np.asarray(img) > THRESHOLD
    mask = ndimage.binary_opening(mask, iterations=2)
    labels, n = ndimage.label(mask)
    if n == 0:
        return 0
    sizes = ndimage.sum(mask, labels, range(1, n + 1))
    return int((np.asarray(sizes) > MIN_RADICLE_PX).sum())


def make_preview(raw: bytes) -> bytes:
    img = Image.open(io.BytesIO(raw))
    img.thumbnail((PREVIEW_PX, PREVIEW_PX))
    out = io.BytesIO()
    img.save(out, "WEBP", quality=80)
    return out.getvalue()
