"""RateLimiter: at most ``rate`` starts in any sliding window of ``per`` seconds, FIFO, weighted."""

from __future__ import annotations

import asyncio
import math
from collections import deque
from dataclasses import dataclass
from types import TracebackType

from ._stats import WINDOW, new_window, percentiles
from ._waiters import WaiterQueue

__all__ = ["RateLimiter", "RateStatistics"]


@dataclass(frozen=True, slots=True)
class RateStatistics:
    """A snapshot of a :class:`RateLimiter` (see :meth:`RateLimiter.statistics`)."""

    rate: float
    per: float
    burst: float | None
    used: float
    """Cost granted in the current window of ``per`` seconds (ending now)."""
    waiting: int
    """Tasks queued in :meth:`RateLimiter.acquire`."""
    waiting_cost: float
    """The sum of their costs."""
    acquired: int
    """Grants since the limiter was created (calls, not cost)."""
    acquired_cost: float
    """The sum of the granted costs."""
    wait_p50: float
    wait_p90: float
    wait_p99: float
    wait_max: float
    wait_window: int
    """How many recent grants the wait-time figures cover (at most 1024)."""


_SLACK = 1e-9
"""Relative float tolerance on a window's capacity.  ``used`` is a running sum, and
fractional costs (0.1 + 0.2 - 0.1 ...) leave rounding residue in it; without slack a
cost that exactly fits could be refused, or (worse) never found to fit."""


_COARSE_TICK = 0.001
"""The tick of a loop clock that does not say its resolution (uvloop's: 1 ms)."""


class _Log:
    """Grants still inside one sliding window: (expiry time, cost), oldest first."""

    __slots__ = ("capacity", "entries", "length", "limit", "used")

    def __init__(self, length: float, capacity: float) -> None:
        self.length = length
        self.capacity = capacity
        self.limit = capacity * (1 + _SLACK)  # what ``used + cost`` may reach
        self.entries: deque[tuple[float, float]] = deque()
        self.used: float = 0

    def expire(self, now: float) -> None:
        entries = self.entries
        while entries and entries[0][0] <= now:
            self.used -= entries.popleft()[1]
        if not entries:
            self.used = 0  # no drift from float costs

    def ready_at(self, cost: float) -> float:
        """The time from which ``cost`` fits (only correct right after :meth:`expire`)."""
        excess = self.used + cost - self.limit
        if excess <= 0:
            return -math.inf
        for expiry, old in self.entries:
            excess -= old
            if excess <= 0:
                return expiry
        # only rounding residue in ``used`` is left: once every grant expired, it fits
        # (cost <= capacity was checked in acquire)
        return self.entries[-1][0] if self.entries else -math.inf

    def remove(self, grant: tuple[float, float]) -> None:
        """Forget one grant (expiry, cost), unless it has already left the window."""
        try:
            self.entries.remove(grant)
        except ValueError:
            return  # already expired
        self.used -= grant[1]
        if not self.entries:
            self.used = 0


class RateLimiter:
    """Lets at most ``rate`` starts (in cost) begin in any sliding window of ``per`` seconds.

    Think of a turnstile that remembers when each person went through: someone may pass
    only if fewer than ``rate`` passed during the last ``per`` seconds, whichever moment
    you start counting from.  Those who may not pass yet wait in line, first come first
    served, and each is let through the moment the oldest passage leaves the window.

    >>> limiter = RateLimiter(10, per=1.0)            # 10 calls per second, never more
    >>> async def call(api):
    ...     async with limiter:
    ...         return await api.get()
    >>> await limiter.acquire(cost=5)                  # a weighted request

    ``burst`` (optional, ``0 < burst <= rate``) also caps how much may start
    back-to-back: at most ``burst`` cost in any window of ``burst * per / rate`` seconds,
    the same average rate over a shorter window.  ``burst=1`` spaces single starts
    evenly, ``per / rate`` apart; without ``burst`` all ``rate`` may start at once.

    Guarantees (``starts`` are the moments :meth:`acquire` grants, by ``loop.time()``):

    * in every half-open window ``[t, t + per)`` the granted costs add up to at most
      ``rate`` (and, with ``burst``, to at most ``burst`` in every window of
      ``burst * per / rate``);
    * strict FIFO, also with weights: a costly request queued first is served before
      any later one, even a cheap one that would fit now (no starvation; the price is
      that a cheap request may wait behind a costly one);
    * a cost above ``rate`` (or above ``burst``) raises :class:`ValueError` at once,
      since it could never be granted;
    * cancellation-safe: a waiter cancelled after its grant but before it resumed
      returns its cost to the window and the next waiter is served;
    * no polling: one ``loop.call_at`` timer for the head of the line, set to the moment
      enough cost leaves the window.

    It does not limit how many run at once (see :class:`ConcurrencyLimiter`); there is
    nothing to release.
    """

    __slots__ = (
        "_acquired",
        "_acquired_cost",
        "_burst",
        "_granted",
        "_logs",
        "_loop",
        "_max_cost",
        "_per",
        "_rate",
        "_timer",
        "_waiters",
        "_waits",
    )

    def __init__(self, rate: float, per: float = 1.0, burst: float | None = None) -> None:
        if not _positive(rate):
            raise ValueError(f"rate must be a positive number, got {rate!r}")
        if not _positive(per):
            raise ValueError(f"per must be a positive number of seconds, got {per!r}")
        self._rate = rate
        self._per = per
        self._logs = [_Log(per, rate)]
        if burst is not None:
            if not _positive(burst) or burst > rate:
                raise ValueError(f"burst must be a number in (0, rate], got {burst!r}")
            if burst < rate:
                self._logs.append(_Log(burst * per / rate, burst))
        self._burst = burst
        self._max_cost = rate if burst is None else burst
        self._waiters = WaiterQueue()
        self._granted: dict[asyncio.Future[None], float] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._acquired = 0
        self._acquired_cost: float = 0
        self._waits = new_window()

    def __repr__(self) -> str:
        burst = "" if self._burst is None else f" burst={self._burst}"
        return f"<RateLimiter rate={self._rate} per={self._per}{burst}>"

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def per(self) -> float:
        return self._per

    @property
    def burst(self) -> float | None:
        return self._burst

    async def acquire(self, cost: float = 1) -> None:
        """Wait (in line) until ``cost`` more may start without breaking the rate, then take it."""
        if not self._take_now(cost):
            await self._wait(cost)

    def _take_now(self, cost: float) -> bool:
        """The fast path: grant ``cost`` at once if no one is queued and it fits."""
        if not 0 < cost <= self._max_cost:  # also rejects NaN
            hint = ""
            if cost == 1 and self._burst is None:
                # RateLimiter(0.5) for "one call every 2 seconds"
                hint = f"; for one start every {self._per / self._rate:g} s use "
                hint += f"RateLimiter(1, per={self._per / self._rate:g})"
            raise ValueError(
                f"cost must be a number in (0, {self._max_cost}] for this limiter, "
                f"got {cost!r}{hint}"
            )
        # the loop that runs now: the limiter may be created outside a loop and used
        # under several in turn (asyncio.run twice, a test loop per test), closed or not
        loop = self._loop = asyncio.get_running_loop()
        if self._waiters and self._waiters.head() is not None:
            return False  # FIFO: no barging past the queue
        now = loop.time()
        logs = self._logs
        for log in logs:
            entries = log.entries
            while entries and entries[0][0] <= now:
                log.used -= entries.popleft()[1]
            if not entries:
                log.used = 0
            if log.used + cost > log.limit:
                return False
        for log in logs:
            log.entries.append((now + log.length, cost))
            log.used += cost
        self._acquired += 1
        self._acquired_cost += cost
        self._waits.append(0.0)
        return True

    async def _wait(self, cost: float) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        fut = self._waiters.add(loop, cost)
        head = self._waiters.head()
        if head is not None and head[0] is fut:
            self._dispatch()
        try:
            await fut
        except asyncio.CancelledError:
            granted_at = self._granted.pop(fut, None)
            if granted_at is not None:
                # granted in the same loop cycle as the cancellation: that start never
                # happened, so its cost leaves the window and the next waiter may go
                for log in self._logs:
                    log.remove((granted_at + log.length, cost))
                self._acquired -= 1
                self._acquired_cost -= cost
            else:
                self._waiters.discard(fut)
            self._dispatch()
            raise
        self._granted.pop(fut, None)
        self._waits.append(loop.time() - now)

    def _grant(self, now: float, cost: float) -> None:
        for log in self._logs:
            log.entries.append((now + log.length, cost))
            log.used += cost
        self._acquired += 1
        self._acquired_cost += cost

    def _on_timer(self) -> None:
        self._timer = None
        self._dispatch(woken=True)

    def _dispatch(self, woken: bool = False) -> None:
        """Grant every head waiter that fits now, then arm one timer for the next head."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        now = loop.time()
        for log in self._logs:
            log.expire(now)
        while (head := self._waiters.head()) is not None:
            fut, cost = head
            ready = max(log.ready_at(cost) for log in self._logs)
            if ready > now:
                if woken:
                    # the timer fired before the clock reached ``ready``: the clock is
                    # coarser than the timer (uvloop's counts whole milliseconds and
                    # rounds delays to the nearest one), so a timer re-armed at ``ready``
                    # would fire at once, again and again, until the clock ticks (up to
                    # a millisecond of busy loop per start): wait one tick instead
                    tick = getattr(loop, "_clock_resolution", _COARSE_TICK)
                    self._timer = loop.call_later(max(ready - now, tick), self._on_timer)
                else:
                    self._timer = loop.call_at(ready, self._on_timer)
                return
            del self._waiters[fut]
            self._grant(now, cost)
            self._granted[fut] = now
            fut.set_result(None)

    async def __aenter__(self) -> None:
        if not self._take_now(1):
            await self._wait(1)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def statistics(self) -> RateStatistics:
        """A frozen snapshot: the cost used in the current window, waiters, recent waits."""
        log = self._logs[0]
        if self._loop is not None and not self._loop.is_closed():
            now = self._loop.time()
            used = sum(cost for expiry, cost in log.entries if expiry > now)
        else:
            used = 0
        waiting = [cost for fut, cost in self._waiters.items() if not fut.done()]
        waits = percentiles(self._waits)
        return RateStatistics(
            rate=self._rate,
            per=self._per,
            burst=self._burst,
            used=used,
            waiting=len(waiting),
            waiting_cost=sum(waiting),
            acquired=self._acquired,
            acquired_cost=self._acquired_cost,
            wait_p50=waits.p50,
            wait_p90=waits.p90,
            wait_p99=waits.p99,
            wait_max=waits.max,
            wait_window=min(len(self._waits), WINDOW),
        )


def _positive(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )
