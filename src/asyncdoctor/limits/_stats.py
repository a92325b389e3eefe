"""Bounded wait-time windows and their percentiles (shared by the limiters' statistics)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

__all__ = ["WINDOW", "Percentiles", "new_window", "percentiles"]

WINDOW = 1024
"""How many recent waits the statistics remember (older ones are forgotten)."""


def new_window() -> deque[float]:
    """A ring of the last :data:`WINDOW` wait times: ``append`` is the only write (cheap)."""
    return deque(maxlen=WINDOW)


class Percentiles:
    """p50, p90, p99 and max of a sample (nearest-rank); all 0.0 for an empty sample."""

    __slots__ = ("max", "p50", "p90", "p99")

    def __init__(self, values: Iterable[float]) -> None:
        data = sorted(values)
        n = len(data)
        if n == 0:
            self.p50 = self.p90 = self.p99 = self.max = 0.0
            return
        self.p50 = data[_rank(n, 0.50)]
        self.p90 = data[_rank(n, 0.90)]
        self.p99 = data[_rank(n, 0.99)]
        self.max = data[-1]


def _rank(n: int, q: float) -> int:
    # nearest-rank percentile: the smallest value with at least q of the sample at or below it
    return max(0, min(n - 1, math.ceil(q * n) - 1))


def percentiles(values: Iterable[float]) -> Percentiles:
    """Nearest-rank p50/p90/p99/max of ``values``."""
    return Percentiles(values)
