"""AdaptiveLimiter: a concurrency limit that follows the latency and errors it observes.

The algorithm is a *gradient* limiter in the family of Netflix concurrency-limits'
Gradient2 (the ratio of a long-term to a short-term latency, a queue allowance,
smoothing), with Gradient2's long-term average replaced by a no-load estimate as in Vegas.

Every completed call is a sample (its latency, or an error).  Samples are grouped into
windows of ``max(min_window, limit)`` calls, about one round trip of every slot, and
the limit is updated once per window:

* ``short``: the mean latency of the window's successful calls;
* ``baseline``: the no-load latency, the lowest window mean seen, drifting up towards
  newer means by ``baseline_drift`` per window so that a service that became
  permanently slower is eventually accepted as the new normal; a window that ran one
  call at a time resets it (no queueing behind our own calls is possible), and a mean
  of 0 (calls below the clock's tick) is never taken;
* ``ratio = short / baseline``: 1.0 means no queueing.  Past the service's capacity,
  extra calls only queue, and by Little's law ``limit / ratio`` is the concurrency the
  service really absorbs (its "knee");
* the threshold: ``tolerance`` plus three standard errors of a window's mean, from
  the spread of calls measured in windows *without* queueing (queueing itself widens
  the spread, which must not raise the threshold), so that a noisy service does not
  look congested by chance;
* the target: after a window with errors, ``limit * backoff`` at once (multiplicative
  decrease, as AIMD); else, when ``ratio`` exceeds the threshold,
  ``max(limit / 2, knee - 1)`` (the gradient step lands one slot below the knee, so
  the next probe starts under it); else, unless the caller does not use the limit
  (fewer than half of the slots were ever in flight during the window: "app-limited",
  no evidence to grow on), ``limit + step * headroom`` with
  ``headroom = (threshold - ratio) / (threshold - 1)`` clipped to ``[0, 1]`` (growth
  slows down as latency nears the threshold).  ``step`` is Gradient2's square-root
  queue allowance, ``sqrt(limit)``, far below the last knee; from 90% of it on, the
  step starts at one slot and grows by a quarter slot per calm window (like TCP
  CUBIC's plateau), so the limit probes the knee slowly but still finds a knee that
  moved up; a limit above the old knee without queueing becomes the new knee;
* ``estimate += smoothing * (target - estimate)`` (errors excepted), clipped to
  ``[min_limit, max_limit]``; the limit in force is ``floor(estimate)``.

Why not Gradient2 as published: it compares the short-term latency with an exponential
average of the long-term one, which follows the short-term latency under sustained
load, so the limit creeps up while latency rises, and its default tolerance (1.5)
accepts 50% of queueing delay.  The no-load baseline keeps the comparison anchored, and
Little's law then gives the knee in one step.  Why not Vegas: it moves by fixed steps
(a few per window) and needs many windows to cross a large range, while the gradient
step is proportional to the queueing it measures.  The price of any latency-based
limiter: it can only see the knee by crossing it, so the limit oscillates around the
knee (on average one or two slots above it in ``bench/limits.py``) and a few calls per
probe wait in the service's queue, which shows in the p99 latency.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
from dataclasses import dataclass
from types import TracebackType

from ._concurrency import ConcurrencyLimiter

__all__ = ["AdaptiveLimiter", "AdaptiveStatistics", "AdaptiveToken"]

_CV_SMOOTHING = 0.1
"""How fast the no-load spread of latencies follows new calm windows."""
_NEAR_KNEE = 0.9
"""From this fraction of the last knee on, growth starts again at one slot per window."""
_PROBE_SPEEDUP = 0.25
"""How many slots per window the probing step gains for each calm window."""
_NOISE_Z = 3.0
"""How many standard errors of the window's mean latency count as noise, not queueing."""

_Stack = tuple["AdaptiveToken", "_Stack"] | None


@dataclass(frozen=True, slots=True)
class AdaptiveStatistics:
    """A snapshot of an :class:`AdaptiveLimiter` (see :meth:`AdaptiveLimiter.statistics`)."""

    limit: int
    """The limit in force (``floor(estimate)``)."""
    estimate: float
    """The algorithm's continuous estimate of the best limit."""
    min_limit: int
    max_limit: int
    in_flight: int
    waiting: int
    latency: float | None
    """Mean latency of the last complete window (seconds), None before the first."""
    latency_baseline: float | None
    """The no-load latency estimate (seconds), None before the first window whose mean
    latency is above 0."""
    samples: int
    """Successful calls measured."""
    errors: int
    """Calls that ended with an error."""
    updates: int
    """Windows completed (limit updates)."""


class AdaptiveToken:
    """One slot of an :class:`AdaptiveLimiter`; report how the call went exactly once.

    >>> token = await limiter.acquire()
    >>> try:
    ...     response = await call()
    ... except Exception:
    ...     token.error()
    ...     raise
    ... else:
    ...     token.success()                # or token.success(latency=server_reported)
    """

    __slots__ = ("_done", "_limiter", "_start")

    def __init__(self, limiter: AdaptiveLimiter, start: float) -> None:
        self._limiter = limiter
        self._start = start
        self._done = False

    @property
    def done(self) -> bool:
        """True once the slot was given back."""
        return self._done

    def _finish(self) -> None:
        if self._done:
            raise RuntimeError("this AdaptiveToken was already released")
        self._done = True

    def success(self, latency: float | None = None) -> None:
        """The call succeeded; its latency is ``loop.time()`` since acquire unless given."""
        if latency is None:
            latency = asyncio.get_running_loop().time() - self._start
        elif not (isinstance(latency, int | float) and 0 <= latency < math.inf):
            # a NaN would poison the latency baseline for good
            raise ValueError(f"latency must be a finite number >= 0 seconds, got {latency!r}")
        self._finish()
        limiter = self._limiter
        limiter._sample(latency, error=False)

    def error(self) -> None:
        """The call failed (or was dropped): the limit backs off."""
        self._finish()
        self._limiter._sample(0.0, error=True)

    def ignore(self) -> None:
        """Give the slot back without a sample (e.g. the call was cancelled)."""
        self._finish()
        self._limiter._lim.release()


class AdaptiveLimiter:
    """A concurrency limit that finds itself: it grows while latency stays flat and shrinks
    when latency rises (queueing) or calls fail.

    Think of a driver on a road without speed signs: accelerate while the ride stays
    smooth, brake as soon as the traffic ahead slows you down, brake hard after a
    collision.  Here the speed is how many calls run at once against a service whose
    capacity you do not know; past that capacity extra calls only wait in its queue,
    which shows as latency, so the limiter keeps the concurrency just below the point
    where latency starts to grow.

    >>> limiter = AdaptiveLimiter(initial=10, max_limit=200)
    >>> async def fetch(url):
    ...     async with limiter:              # times the block; an exception is an error
    ...         return await client.get(url)
    >>> limiter.limit                        # what it settled on
    48

    Waiting is :class:`ConcurrencyLimiter`'s (FIFO, cancellation-safe).  The algorithm
    (a gradient limiter with a no-load baseline; see the module docstring and
    ``docs/limits.md``) updates the limit once per window of ``max(min_window, limit)``
    completed calls.  A block that ends with an exception (not a cancellation) counts as
    an error and cuts the limit by ``backoff``; a cancelled block gives its slot back
    without a sample.  ``async with limiter as token`` lets the block report an error
    itself (``token.error()``), and :meth:`acquire` returns the same token for callers
    that time calls themselves.

    Parameters (defaults in brackets): ``initial`` limit [10]; ``min_limit`` (floor) [1]
    and ``max_limit`` (ceiling) [1000]; ``smoothing`` (0..1, how far one window moves
    the limit towards its target) [0.5]; ``tolerance`` (the latency ratio to the no-load
    latency still taken as "no queueing", > 1, before the noise allowance) [1.05];
    ``backoff`` (0..1, the multiplier after a window with errors) [0.9]; ``min_window``
    (the fewest samples per update) [10]; ``baseline_drift`` (0..1, how far the no-load
    latency moves towards a higher window mean, per window) [0.005].
    """

    __slots__ = (
        "_backoff",
        "_baseline",
        "_calm",
        "_cv",
        "_drift",
        "_errors",
        "_estimate",
        "_knee",
        "_lim",
        "_max",
        "_min",
        "_min_window",
        "_samples",
        "_short",
        "_smoothing",
        "_tokens",
        "_tolerance",
        "_updates",
        "_w_count",
        "_w_errors",
        "_w_max_in_flight",
        "_w_ok",
        "_w_sq",
        "_w_sum",
    )

    def __init__(
        self,
        initial: int = 10,
        *,
        min_limit: int = 1,
        max_limit: int = 1000,
        smoothing: float = 0.5,
        tolerance: float = 1.05,
        backoff: float = 0.9,
        min_window: int = 10,
        baseline_drift: float = 0.005,
    ) -> None:
        if not 1 <= min_limit <= max_limit:
            raise ValueError(f"need 1 <= min_limit <= max_limit, got {min_limit}, {max_limit}")
        if not min_limit <= initial <= max_limit:
            raise ValueError(f"initial must be in [{min_limit}, {max_limit}], got {initial}")
        if not 0 < smoothing <= 1:
            raise ValueError(f"smoothing must be in (0, 1], got {smoothing}")
        if not tolerance > 1:
            raise ValueError(f"tolerance must be above 1, got {tolerance}")
        if not 0 < backoff < 1:
            raise ValueError(f"backoff must be in (0, 1), got {backoff}")
        if min_window < 1:
            raise ValueError(f"min_window must be at least 1, got {min_window}")
        if not 0 <= baseline_drift <= 1:
            raise ValueError(f"baseline_drift must be in [0, 1], got {baseline_drift}")
        self._min = min_limit
        self._max = max_limit
        self._smoothing = smoothing
        self._tolerance = tolerance
        self._backoff = backoff
        self._min_window = min_window
        self._drift = baseline_drift
        self._estimate = float(initial)
        self._lim = ConcurrencyLimiter(initial)
        self._baseline: float | None = None
        self._short: float | None = None
        self._knee: float | None = None
        self._calm = 0
        self._cv: float | None = None
        self._samples = 0
        self._errors = 0
        self._updates = 0
        self._tokens: contextvars.ContextVar[_Stack] = contextvars.ContextVar(
            "asyncdoctor_adaptive_tokens", default=None
        )
        self._w_count = 0
        self._w_ok = 0
        self._w_errors = 0
        self._w_sum = 0.0
        self._w_sq = 0.0
        self._w_max_in_flight = 0

    def __repr__(self) -> str:
        return (
            f"<AdaptiveLimiter limit={self._lim.limit} in_flight={self._lim.in_flight} "
            f"range=[{self._min}, {self._max}]>"
        )

    @property
    def limit(self) -> int:
        """The concurrency limit in force now (read-only; it is the algorithm's)."""
        return self._lim.limit

    @property
    def in_flight(self) -> int:
        return self._lim.in_flight

    async def acquire(self) -> AdaptiveToken:
        """Wait for a slot (FIFO) and return its token; report the outcome on the token."""
        lim = self._lim
        await lim.acquire()
        if lim.in_flight > self._w_max_in_flight:
            self._w_max_in_flight = lim.in_flight
        return AdaptiveToken(self, asyncio.get_running_loop().time())

    async def __aenter__(self) -> AdaptiveToken:
        token = await self.acquire()
        self._tokens.set((token, self._tokens.get()))
        return token

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        top = self._tokens.get()
        if top is None:  # pragma: no cover - only when __aexit__ is called by hand
            raise RuntimeError("AdaptiveLimiter.__aexit__ without __aenter__ in this task")
        token, below = top
        self._tokens.set(below)
        if token.done:
            return
        if exc is None:
            token.success()
        elif isinstance(exc, Exception):
            token.error()
        else:  # cancelled, KeyboardInterrupt, GeneratorExit...: no evidence either way
            token.ignore()

    def _reset_window(self) -> None:
        self._w_count = 0
        self._w_ok = 0
        self._w_errors = 0
        self._w_sum = 0.0
        self._w_sq = 0.0
        self._w_max_in_flight = self._lim.in_flight

    def _sample(self, latency: float, *, error: bool) -> None:
        lim = self._lim
        lim.release()
        self._w_count += 1
        if error:
            self._errors += 1
            self._w_errors += 1
        else:
            self._samples += 1
            self._w_ok += 1
            self._w_sum += latency
            self._w_sq += latency * latency
        if self._w_count >= max(self._min_window, lim.limit):
            self._update()

    def _update(self) -> None:
        estimate = self._estimate
        if self._w_errors:
            target = estimate * self._backoff
            estimate = target  # back off at once, no smoothing
        elif self._w_ok:
            n = self._w_ok
            short = self._w_sum / n
            self._short = short
            baseline = self._baseline
            # a window mean of 0 (calls faster than the clock's tick: uvloop's clock
            # counts milliseconds; a virtual clock; cached answers) says nothing about the
            # no-load latency; as a baseline it would make any later latency look like
            # endless queueing and collapse the limit
            if short > 0:
                if baseline is None or short < baseline or self._w_max_in_flight <= 1:
                    # (one call at a time cannot queue behind our own calls: whatever
                    # its latency, it is the no-load latency now)
                    baseline = short
                else:
                    baseline += (short - baseline) * self._drift
                self._baseline = baseline
            ratio = short / baseline if baseline else 1.0
            # the noise of a window's mean, from the spread of calls *without* queueing
            # (queueing itself widens the spread, which must not raise the threshold)
            var = max(0.0, self._w_sq / n - short * short)
            cv = math.sqrt(var) / short if short > 0 else None
            if self._cv is None:
                self._cv = cv
            noise = 0.0 if self._cv is None else self._cv
            tolerance = self._tolerance + _NOISE_Z * noise / math.sqrt(n)
            if ratio <= tolerance and cv is not None and self._cv is not None:
                self._cv += (cv - self._cv) * _CV_SMOOTHING
            if ratio > tolerance:
                knee = estimate / ratio
                self._knee = knee
                target = max(estimate / 2, knee - 1.0)
                self._calm = 0
            elif self._w_max_in_flight * 2 >= estimate:
                headroom = min(1.0, (tolerance - ratio) / (tolerance - 1))
                step = math.sqrt(estimate)
                last_knee = self._knee
                self._calm += 1
                if last_knee is not None and estimate >= last_knee * _NEAR_KNEE:
                    # near or past the last knee seen: probe by one slot at first, then
                    # faster the longer no queueing shows (the knee may have moved up)
                    step = min(step, 1.0 + (self._calm - 1) * _PROBE_SPEEDUP)
                    if estimate > last_knee:
                        self._knee = estimate  # no queueing up here: the knee moved up
                target = estimate + step * headroom
            else:
                target = estimate
            estimate += self._smoothing * (target - estimate)
        self._estimate = min(float(self._max), max(float(self._min), estimate))
        self._updates += 1
        self._lim.limit = max(self._min, int(self._estimate))
        self._reset_window()

    def statistics(self) -> AdaptiveStatistics:
        """A frozen snapshot: limit, estimate, in flight, waiting, latencies, errors."""
        lim = self._lim.statistics()
        return AdaptiveStatistics(
            limit=lim.limit,
            estimate=self._estimate,
            min_limit=self._min,
            max_limit=self._max,
            in_flight=lim.in_flight,
            waiting=lim.waiting,
            latency=self._short,
            latency_baseline=self._baseline,
            samples=self._samples,
            errors=self._errors,
            updates=self._updates,
        )
