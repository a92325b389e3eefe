"""Music library helpers: loudness analysis and tag reading."""
from __future__ import annotations

from dataclasses import dataclass

import mutagen
import pyloudnorm
import soundfile

TARGET_LUFS = -16.0


@dataclass
class Item:
    item_id: int
    path: str
    title: str
    artist: str
    duration_s: float = 0.0
    gain_db: float | None = None


def measure_loudness(path: str) -> float:
    """Decode the whole file and return the gain to reach TARGET_LUFS."""
    data, rate = soundfile.read(path)
    meter = pyloudnorm.Meter(rate)
    loudness = meter.integrated_loudness(data)
    return TARGET_LUFS - loudness


def read_tags(path: str) -> dict[str, str]:
    tags = mutagen.File(path, easy=True) or {}
    return {k: v[0] for k, v in tags.items() if v}
