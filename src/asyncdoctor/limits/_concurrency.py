"""ConcurrencyLimiter: a fair, cancellation-safe semaphore whose limit can change at runtime."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType

from ._stats import WINDOW, new_window, percentiles
from ._waiters import WaiterQueue

__all__ = ["ConcurrencyLimiter", "ConcurrencyStatistics"]


@dataclass(frozen=True, slots=True)
class ConcurrencyStatistics:
    """A snapshot of a :class:`ConcurrencyLimiter` (see :meth:`ConcurrencyLimiter.statistics`).

    Wait times (seconds, from the running loop's clock) cover the last
    ``wait_window`` acquisitions, those that did not wait included (they count as 0.0).
    """

    limit: int
    """The current limit."""
    in_flight: int
    """Slots held now (granted waiters that have not resumed yet included)."""
    waiting: int
    """Tasks queued in :meth:`ConcurrencyLimiter.acquire`."""
    acquired: int
    """Slots granted since the limiter was created."""
    wait_p50: float
    wait_p90: float
    wait_p99: float
    wait_max: float
    wait_window: int
    """How many recent acquisitions the wait-time figures cover (at most 1024)."""


class ConcurrencyLimiter:
    """Lets at most ``limit`` tasks into a block at once; the others wait in line.

    Think of a restaurant with ``limit`` tables: a party that finds a free table sits
    down at once; the others queue at the door and are seated strictly in the order they
    arrived, never overtaken by a newcomer.  The owner may add or remove tables while the
    restaurant is open: new tables are given to the queue at once, and removing a table
    never evicts anyone, it only keeps the door shut until few enough are seated.

    >>> limiter = ConcurrencyLimiter(10)
    >>> async def fetch(url):
    ...     async with limiter:          # at most 10 fetches run at once
    ...         return await client.get(url)

    It is what :class:`asyncio.Semaphore` would be with statistics, a settable limit and
    an explicit fairness guarantee; it is *not* a lock held by a task (any task may
    :meth:`release` a slot that another acquired, as with a semaphore), nor a rate limit
    (see :class:`~asyncdoctor.limits.RateLimiter`).

    Guarantees:

    * at most ``limit`` slots are held at once (after the limit is lowered, the holders
      above it finish and no one else enters until ``in_flight < limit``);
    * strict FIFO: a task that arrives while others are queued queues behind them,
      even when a slot is free at that very moment;
    * cancellation-safe: a waiter cancelled at any moment, also after it was granted a
      slot but before it resumed, gives that slot to the next waiter (or back);
    * no polling: a waiter sleeps on a future until a release grants it a slot.

    Uses the running loop's clock (``loop.time()``) for wait times; works on asyncio's
    loops and on uvloop.  Not thread-safe (like every asyncio primitive).
    """

    __slots__ = ("_acquired", "_in_flight", "_limit", "_waiters", "_waits")

    def __init__(self, limit: int) -> None:
        self._limit = _check_limit(limit)
        self._in_flight = 0
        self._acquired = 0
        self._waiters = WaiterQueue()
        self._waits = new_window()

    def __repr__(self) -> str:
        return (
            f"<ConcurrencyLimiter limit={self._limit} in_flight={self._in_flight} "
            f"waiting={self._waiters.live()}>"
        )

    @property
    def limit(self) -> int:
        """How many slots may be held at once (settable, at least 1)."""
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        self._limit = _check_limit(value)
        if self._waiters:
            self._wake()

    @property
    def in_flight(self) -> int:
        """How many slots are held now."""
        return self._in_flight

    def locked(self) -> bool:
        """True when :meth:`acquire` would wait (no free slot, or others queued first)."""
        return self._in_flight >= self._limit or self._waiters.head() is not None

    async def acquire(self) -> None:
        """Take a slot, waiting in line (FIFO) while none is free."""
        if self._in_flight < self._limit and not self._waiters:
            self._in_flight += 1
            self._acquired += 1
            self._waits.append(0.0)
            return
        await self._acquire_slow()

    async def _acquire_slow(self) -> None:
        if self._in_flight < self._limit and self._waiters.head() is None:
            # the queue held only cancelled waiters
            self._in_flight += 1
            self._acquired += 1
            self._waits.append(0.0)
            return
        loop = asyncio.get_running_loop()
        start = loop.time()
        fut = self._waiters.add(loop)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                # granted in the same loop cycle as the cancellation: pass the slot on
                self.release()
            else:
                self._waiters.discard(fut)
                if self._waiters:
                    self._wake()
            raise
        # _wake counted the slot as ours when it granted it
        self._waits.append(loop.time() - start)

    def release(self) -> None:
        """Give a slot back; the first waiter in line gets it.

        Raises :class:`RuntimeError` when more slots are released than were acquired.
        """
        if self._in_flight <= 0:
            raise RuntimeError("ConcurrencyLimiter released more times than it was acquired")
        self._in_flight -= 1
        if self._waiters:
            self._wake()

    def _wake(self) -> None:
        waiters = self._waiters
        while waiters and self._in_flight < self._limit:
            fut, _ = waiters.popitem(last=False)
            if fut.done():
                continue  # cancelled; its task will notice and leave
            fut.set_result(None)
            self._in_flight += 1
            self._acquired += 1

    async def __aenter__(self) -> None:
        if self._in_flight < self._limit and not self._waiters:
            self._in_flight += 1
            self._acquired += 1
            self._waits.append(0.0)
            return
        await self._acquire_slow()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def statistics(self) -> ConcurrencyStatistics:
        """A frozen snapshot: limit, in flight, waiting, acquired, recent wait times."""
        waits = percentiles(self._waits)
        return ConcurrencyStatistics(
            limit=self._limit,
            in_flight=self._in_flight,
            waiting=self._waiters.live(),
            acquired=self._acquired,
            wait_p50=waits.p50,
            wait_p90=waits.p90,
            wait_p99=waits.p99,
            wait_max=waits.max,
            wait_window=min(len(self._waits), WINDOW),
        )


def _check_limit(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"limit must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"limit must be at least 1, got {value}")
    return value
