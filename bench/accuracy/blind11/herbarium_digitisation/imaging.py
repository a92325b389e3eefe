import io
from pathlib import Path

from PIL import Image, ImageOps

Image.MAX_IMAGE_PIXELS = 400_000_000
SIZES = {"full": 4000, "web": 1600, "thumb": 300}


def make_derivatives(master: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with Image.open(master) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        for kind, edge in SIZES.items():
            copy = im.copy()
            copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            copy.save(buf, "JPEG", quality=88 if kind != "thumb" else 75, optimize=True)
            out[kind] = buf.getvalue()
    return out


def colour_card_ok(master: Path) -> bool:
    with Image.open(master) as im:
        patch = im.convert("L").crop((40, 40, 240, 240))
        lo, hi = patch.getextrema()
    return hi - lo > 180
