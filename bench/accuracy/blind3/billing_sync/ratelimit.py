from __future__ import annotations

import threading
import time


class TokenBucket:
    """Shared by the async sync job and the legacy webhook thread."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = time.monotonic()

    def reserve(self) -> float:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        self._tokens -= 1
        if self._tokens >= 0:
            return 0.0
        return -self._tokens / self.rate


STRIPE_BUCKET = TokenBucket(rate=20, burst=40)
STRIPE_LOCK = threading.Lock()


def reserve_blocking() -> None:
    with STRIPE_LOCK:
        wait = STRIPE_BUCKET.reserve()
    if wait:
        time.sleep(wait)
