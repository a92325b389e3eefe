from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, TypeVar

T = TypeVar("T")

log = logging.getLogger("flowrunner.retry")


@dataclass
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.2
    retry_on: tuple[type[BaseException], ...] = field(default=(Exception,))

    def delay_for(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return delay * (1 + random.uniform(-self.jitter, self.jitter))


async def run_with_retry(
    fn: Callable[..., Awaitable[T]], policy: RetryPolicy, *args: Any, **kwargs: Any
) -> T:
    last_exc: BaseException | None = None
    for attempt in range(1, policy.attempts + 1):
        try:
            return await fn(*args, **kwargs)
        except policy.retry_on as exc:
            last_exc = exc
            log.warning("attempt %d/%d of %s failed: %r", attempt, policy.attempts, fn.__name__, exc)
            if attempt < policy.attempts:
                await asyncio.sleep(policy.delay_for(attempt))
    assert last_exc is not None
    raise last_exc


async def call_with_timeout(
    fn: Callable[..., Awaitable[T]], timeout: float, *args: Any, default: T | None = None
) -> T | None:
    result = default
    try:
        async with asyncio.timeout(timeout):
            result = await fn(*args)
    except TimeoutError:
        log.warning("%s timed out after %.1fs", getattr(fn, "__name__", fn), timeout)
    finally:
        return result  # bug: ADC601
