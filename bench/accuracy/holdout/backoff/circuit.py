import time


class CircuitOpen(Exception):
    pass


class CircuitBreaker:
    """Opens after `threshold` failures in a row; half-opens after `cooldown` seconds."""

    def __init__(self, threshold: int = 5, cooldown: float = 30.0, fail_fast: bool = False):
        self.threshold = threshold
        self.cooldown = cooldown
        self.fail_fast = fail_fast
        self._failures = 0
        self._opened_at: float | None = None

    def _sleep_until(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def _wait_half_open(self) -> None:
        if self._opened_at is None:
            return
        if self.fail_fast:
            raise CircuitOpen(f"circuit open for {self.cooldown}s")
        self._sleep_until(self._opened_at + self.cooldown)
        self._opened_at = None

    def _record(self, ok: bool) -> None:
        if ok:
            self._failures = 0
            return
        self._failures += 1
        if self._failures >= self.threshold:
            self._opened_at = time.monotonic()

    def call(self, fn, *args, **kwargs):
        self._wait_half_open()
        try:
            result = fn(*args, **kwargs)
        except Exception:
            self._record(False)
            raise
        self._record(True)
        return result

    async def acall(self, fn, *args, **kwargs):
        self._wait_half_open()  # bug: ADC101
        try:
            result = await fn(*args, **kwargs)
        except Exception:
            self._record(False)
            raise
        self._record(True)
        return result
