"""Sentence segmentation (SRX-lite): regexes only, cheap enough to run inline."""
from __future__ import annotations

import re

_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9\"“])")
_NO_BREAK = ("e.g.", "i.e.", "Dr.", "Mr.", "Mrs.", "No.", "art.")


def split(text: str) -> list[str]:
    out: list[str] = []
    for part in _BREAK.split(text.strip()):
        if out and out[-1].endswith(_NO_BREAK):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return [s for s in out if s]
