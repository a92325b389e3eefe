"""Concurrency primitives done right: fair, cancellation-safe, measurable.

>>> from asyncdoctor.limits import ConcurrencyLimiter, RateLimiter, amap
>>> db = ConcurrencyLimiter(20)              # at most 20 queries at once
>>> api = RateLimiter(10, per=1.0)           # at most 10 calls in any 1-second window
>>> async for row in amap(fetch, ids, limit=10):   # bounded, streamed, in order
...     ...

* :class:`ConcurrencyLimiter`: a semaphore with statistics and a limit settable at runtime.
* :class:`RateLimiter`: at most ``rate`` starts in *any* sliding window of ``per`` seconds,
  optional burst, weighted ``acquire(cost)``.
* :class:`AdaptiveLimiter`: a concurrency limit that follows latency and errors.
* :func:`amap` and :class:`BoundedTaskGroup`: structured, bounded fan-out.

All waiting is FIFO (weights are served in arrival order), cancellation-safe and free of
polling; every ``statistics()`` returns a frozen dataclass.  Standard library only; uses
the running loop's clock, so it works on asyncio's loops, on uvloop, and on a test loop
with a virtual clock.  See ``docs/limits.md``.
"""

from ._adaptive import AdaptiveLimiter as AdaptiveLimiter
from ._adaptive import AdaptiveStatistics as AdaptiveStatistics
from ._adaptive import AdaptiveToken as AdaptiveToken
from ._amap import amap as amap
from ._concurrency import ConcurrencyLimiter as ConcurrencyLimiter
from ._concurrency import ConcurrencyStatistics as ConcurrencyStatistics
from ._rate import RateLimiter as RateLimiter
from ._rate import RateStatistics as RateStatistics
from ._taskgroup import BoundedTaskGroup as BoundedTaskGroup

__all__ = [
    "AdaptiveLimiter",
    "AdaptiveStatistics",
    "AdaptiveToken",
    "BoundedTaskGroup",
    "ConcurrencyLimiter",
    "ConcurrencyStatistics",
    "RateLimiter",
    "RateStatistics",
    "amap",
]
