"""AdaptiveLimiter: a concurrency limit that finds the knee of the service it guards.

The knee is where more concurrency stops buying throughput.  In a closed loop (every
slot starts its next call when its last one ends), Little's law ties the figures
together: ``throughput = limit / latency``.  So two latencies say whether a higher limit
pays: raising the limit from ``lo`` to ``hi`` adds throughput unless latency grows as fast
as the limit.  The limiter measures exactly that, in *trials*:

* It holds a limit it believes best (``best``) and runs blocks of calls at it, alternating
  with blocks at a *probe*, one step above or below it (up and down in turn).  A block
  measures the calls that start once the previous block's calls have ended (so they
  meet the queue of its own limit): at least one round of ``max(min_window, limit)``
  calls, and about 20 ms of them; it ends when all of them have ended, however long the
  unlucky ones wait on a service that is not first come, first served.  Its latency is
  the mean with the slowest 5% counted as the 95th percentile (a winsorised mean): a
  stall of the machine must not decide.
* Each probe block is compared with the mean of the blocks at ``best`` on either side of
  it, which cancels a slow drift of the machine's or the service's speed.  The *latency
  elasticity* between two limits is ``log(latency_hi / latency_lo) / log(hi / lo)``: 0
  when latency stays flat (every extra slot adds throughput), 1 when it grows in
  proportion to the limit (pure queueing: nothing gained).  The higher limit is *worth
  it* when the elasticity is at most ``1 - gain``: throughput grows by at least ``gain``
  times the share by which the limit grew.
* A trial ends when the mean of its comparisons is more than two standard errors from
  that threshold (the noise of one comparison is learned over the trials), or after
  eight comparisons, with the side the mean falls on.  An up-probe worth it (that the
  caller filled: a caller that never uses the extra slots gives no evidence) raises
  ``best``, a down-probe against which ``best`` is not worth it lowers it; the new
  ``best`` is where Little's law puts a knee lying between the two limits (the higher
  limit over the latency growth), so a big step across a sharp knee stops on it.  Steps
  double while ``best`` keeps moving the same way (a knee far away is reached in a few
  trials, like TCP's slow start; the first probe is twice ``initial``) and fall back to
  ``best / 8`` (at least one slot) when a trial confirms ``best``.
* Errors: every ``max(min_window, limit)`` completed calls, any error cuts ``best`` by
  ``backoff`` at once (multiplicative decrease, as AIMD).  Two blocks in a row at ``best``
  more than twice as slow as the last trial found it (grown in proportion if ``best``
  went up since: the service lost capacity, or others overload it) halve ``best`` at
  once.

Why not a *gradient* limiter (Netflix concurrency-limits' Gradient2, Vegas), as this one
was: they compare the latency with a no-load baseline and take any growth for queueing.
On a slow service with a fixed number of workers that is right: latency stays flat up
to the knee.  On a fast one (sub-millisecond calls: ``SELECT 1``, a loopback HTTP server)
latency grows with concurrency long before throughput stops growing: the client's and
the server's CPUs overlap more of their work, the event loop handles more completions
per cycle, and each call waits for the others' callbacks.  A gradient limiter reads that
as queueing and settles at 1 to 3 slots with half the throughput; its baseline, the
lowest of many noisy latency windows, lies far below the typical one, so it sees
queueing even at one slot.  Comparing two limits directly needs no baseline, and the
elasticity threshold accepts latency that buys throughput.  The price: a probe runs
about half the time, one step from ``best``.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import statistics
from dataclasses import dataclass
from types import TracebackType

from ._concurrency import ConcurrencyLimiter

__all__ = ["AdaptiveLimiter", "AdaptiveStatistics", "AdaptiveToken"]

_WINSOR = 0.95
"""A block's latencies above this quantile count as this quantile."""
_MIN_BLOCK = 0.02
"""A block spans at least one round of calls and about this many seconds."""
_MAX_PAIRS = 8
"""A trial compares at most this many probe blocks with their neighbours."""
_Z = 2.0
"""How many standard errors make a difference of latency a verdict."""
_FIRST_SIGMA = 0.25
"""The noise of one comparison (in log-latency) assumed until trials have measured it."""
_SIGMA_SMOOTHING = 0.3
"""How fast the noise of a comparison, learned over trials, follows new trials."""
_JUMP = 2.0
"""Two blocks at ``best`` this many times slower than the last trial found it halve ``best``."""
_STEP_SHARE = 8
"""A confirmed limit is probed ``best / _STEP_SHARE`` (at least one slot) above and below."""

_Stack = tuple["AdaptiveToken", "_Stack"] | None


@dataclass(frozen=True, slots=True)
class AdaptiveStatistics:
    """A snapshot of an :class:`AdaptiveLimiter` (see :meth:`AdaptiveLimiter.statistics`)."""

    limit: int
    """The limit in force now (``best``, or the limit under test while a probe runs)."""
    best: int
    """The limit the algorithm holds best: what it settled on."""
    probing: bool
    """True while a probe block runs (``limit`` is then one step above or below ``best``)."""
    min_limit: int
    max_limit: int
    in_flight: int
    waiting: int
    latency: float | None
    """The latency measured at ``best`` in the last block there (seconds, a mean with
    the slowest 5% of calls counted as the 95th percentile), None before the first."""
    samples: int
    """Successful calls measured."""
    errors: int
    """Calls that ended with an error."""
    updates: int
    """Blocks completed and back-offs made."""


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

    __slots__ = ("_block", "_done", "_limiter", "_start")

    def __init__(self, limiter: AdaptiveLimiter, start: float, block: int) -> None:
        self._limiter = limiter
        self._start = start
        self._block = block
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
            # a NaN would poison every comparison of the block
            raise ValueError(f"latency must be a finite number >= 0 seconds, got {latency!r}")
        self._finish()
        self._limiter._sample(latency, self._block)

    def error(self) -> None:
        """The call failed (or was dropped): the limit backs off."""
        self._finish()
        self._limiter._sample(None, self._block)

    def ignore(self) -> None:
        """Give the slot back without a sample (e.g. the call was cancelled)."""
        self._finish()
        self._limiter._sample(None, self._block, ignored=True)


class AdaptiveLimiter:
    """A concurrency limit that finds itself: it settles where more concurrency stops
    adding throughput, and backs off when latency jumps or calls fail.

    Think of a shop owner deciding how many tills to open.  Now and then she opens one
    more for a while: if the queue moves proportionally faster, she keeps it; if the
    customers are served no faster (the stockroom behind the tills is the bottleneck), she
    closes it again.  Now and then she also tries one fewer.  When customers start to
    complain (errors), she closes tills at once.

    >>> limiter = AdaptiveLimiter(initial=10, max_limit=200)
    >>> async def fetch(url):
    ...     async with limiter:              # times the block; an exception is an error
    ...         return await client.get(url)
    >>> limiter.best                         # what it settled on
    48

    Waiting is :class:`ConcurrencyLimiter`'s (FIFO, cancellation-safe).  The algorithm
    (probes above and below the limit it holds best, compared by the latency elasticity;
    see the module docstring and ``docs/limits.md``) learns from calls: a caller that
    never fills the limit gives no evidence for raising it.  A block that ends with an
    exception (not a cancellation) counts as an error and cuts the limit by ``backoff``;
    a cancelled block gives its slot back without a sample.  ``async with limiter as
    token`` lets the block report an error itself (``token.error()``), and
    :meth:`acquire` returns the same token for callers that time calls themselves.

    It is *not* a rate limiter, and it cannot see queueing that happens before the call
    reaches it.  While a probe runs (about half the time), :attr:`limit` is one step above
    or below the best limit.

    Parameters (defaults in brackets): ``initial`` limit [10]; ``min_limit`` (floor) [1]
    and ``max_limit`` (ceiling) [1000]; ``gain`` (between 0 and 1: a higher limit is kept
    when throughput grows by at least this share of the proportional growth, so raising
    the limit by 10% must add at least ``gain * 10%`` throughput) [0.15]; ``backoff``
    (between 0 and 1, the multiplier after errors) [0.9]; ``min_window`` (the fewest calls
    per block) [10].
    """

    __slots__ = (
        "_backoff",
        "_best",
        "_block",
        "_diffs",
        "_direction",
        "_ended",
        "_errors",
        "_filled",
        "_gain",
        "_latencies",
        "_latency",
        "_level",
        "_level_limit",
        "_lim",
        "_max",
        "_min",
        "_min_window",
        "_moved",
        "_probe",
        "_probe_filled",
        "_probe_latency",
        "_probing",
        "_reference",
        "_samples",
        "_settling",
        "_sigma",
        "_step",
        "_tagged",
        "_target",
        "_tick",
        "_tick_errors",
        "_tokens",
        "_trial_references",
        "_updates",
    )

    def __init__(
        self,
        initial: int = 10,
        *,
        min_limit: int = 1,
        max_limit: int = 1000,
        gain: float = 0.15,
        backoff: float = 0.9,
        min_window: int = 10,
    ) -> None:
        if not 1 <= min_limit <= max_limit:
            raise ValueError(f"need 1 <= min_limit <= max_limit, got {min_limit}, {max_limit}")
        if not min_limit <= initial <= max_limit:
            raise ValueError(f"initial must be in [{min_limit}, {max_limit}], got {initial}")
        if not 0 < gain < 1:
            raise ValueError(f"gain must be in (0, 1), got {gain}")
        if not 0 < backoff < 1:
            raise ValueError(f"backoff must be in (0, 1), got {backoff}")
        if min_window < 1:
            raise ValueError(f"min_window must be at least 1, got {min_window}")
        self._min = min_limit
        self._max = max_limit
        self._gain = gain
        self._backoff = backoff
        self._min_window = min_window
        self._lim = ConcurrencyLimiter(initial)
        self._samples = 0
        self._errors = 0
        self._updates = 0
        self._tick = 0  # calls ended since the last check for errors
        self._tick_errors = 0
        self._tokens: contextvars.ContextVar[_Stack] = contextvars.ContextVar(
            "asyncdoctor_adaptive_tokens", default=None
        )
        # the limit held best, how far and which way the next probe goes, and whether the
        # last trial moved `best` (then steps double); it starts by probing twice the
        # initial limit, as TCP's slow start (a knee crossed is found by Little's law)
        self._best = initial
        self._step = initial
        self._direction = 1
        self._moved = True
        self._latency: float | None = None  # the last block's at `best`
        # the noise of one comparison, learned over trials (a first guess until then, so
        # that a first trial with a clear outcome does not need a second comparison)
        self._sigma = _FIRST_SIGMA
        # the current trial: the probed limit, the latency of the last block at `best` and
        # of the last probe block, each probe's log-latency against its neighbours, how
        # many probe blocks the caller filled, and the latencies of the blocks at `best`
        self._probe = initial
        self._reference: float | None = None
        self._probe_latency: float | None = None
        self._diffs: list[float] = []
        self._probe_filled = 0
        self._trial_references: list[float] = []
        self._level: float | None = None  # the last trial's mean log-latency at `best` ...
        self._level_limit = initial  # ... and that `best`
        # the current block: its number (tokens carry theirs), whether it runs the probe,
        # the latencies of the calls it measures, whether the caller filled its limit,
        # and how many calls it measures
        self._block = 0
        self._settling = 0  # calls in flight when the block started, not yet ended
        self._tagged = 0  # calls the block measures that have started ...
        self._ended = 0  # ... and ended
        self._probing = False
        self._latencies: list[float] = []
        self._filled = False
        self._target = max(min_window, initial)
        self._next_trial()

    def __repr__(self) -> str:
        return (
            f"<AdaptiveLimiter limit={self._lim.limit} best={self._best} "
            f"in_flight={self._lim.in_flight} range=[{self._min}, {self._max}]>"
        )

    @property
    def limit(self) -> int:
        """The concurrency limit in force now (read-only; it is the algorithm's)."""
        return self._lim.limit

    @property
    def best(self) -> int:
        """The limit the algorithm holds best (what it settled on); :attr:`limit` differs
        from it only while a probe runs."""
        return self._best

    @property
    def in_flight(self) -> int:
        return self._lim.in_flight

    async def acquire(self) -> AdaptiveToken:
        """Wait for a slot (FIFO) and return its token; report the outcome on the token."""
        lim = self._lim
        await lim.acquire()
        if lim.in_flight >= lim.limit:
            self._filled = True
        # a block measures its first `target` calls that start once the previous block's
        # calls have ended (before, the queue is still the previous limit's); it ends when
        # all of them have, however long the unlucky ones wait (ending it at its first
        # `target` ends would keep only the fast calls of a service that is not FIFO)
        block = -1
        if self._settling <= 0 and self._tagged < self._target:
            block = self._block
            self._tagged += 1
        return AdaptiveToken(self, asyncio.get_running_loop().time(), block)

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

    # --- the algorithm ------------------------------------------------------------------------

    def _sample(self, latency: float | None, block: int, *, ignored: bool = False) -> None:
        """A call ended: ``latency`` in seconds, or None for an error (or no sample)."""
        lim = self._lim
        lim.release()
        self._settling -= 1
        current = block == self._block
        self._ended += current
        if ignored:
            pass
        elif latency is None:
            self._errors += 1
            self._tick += 1
            self._tick_errors += 1
        else:
            self._samples += 1
            self._tick += 1
            if current:
                self._latencies.append(latency)
        if self._tick >= max(self._min_window, lim.limit):
            errors = self._tick_errors
            self._tick = self._tick_errors = 0
            if errors:
                self._back_off()
                return
        if self._ended >= self._target:
            if self._latencies:
                self._end_block()
            else:  # every call of the block failed or was cancelled: measure it again
                self._start_block(self._probing)

    def _start_block(self, probe: bool) -> None:
        self._block += 1
        self._probing = probe
        limit = self._probe if probe else self._best
        lim = self._lim
        lim.limit = limit
        self._latencies = []
        self._tagged = self._ended = 0
        self._settling = lim.in_flight
        self._filled = lim.in_flight >= limit
        calls = max(self._min_window, limit)  # one round: every slot about once
        latency = self._latency
        if latency:  # and enough calls to span _MIN_BLOCK seconds
            calls = max(calls, math.ceil(_MIN_BLOCK * limit / latency))
        self._target = calls

    def _end_block(self) -> None:
        latency = _winsorized_mean(self._latencies)
        self._updates += 1
        if self._probing:
            self._probe_latency = latency
            self._probe_filled += self._filled
            self._start_block(False)
            return
        self._latency = latency
        before, probed = self._reference, self._probe_latency
        self._reference = latency
        self._probe_latency = None
        self._trial_references.append(latency)
        level = self._level
        if level is not None and before is not None:
            # the latency the last trial found, grown in proportion if `best` went up since
            # (at most what pure queueing adds)
            expected = level + max(0.0, math.log(self._best / self._level_limit))
            if min(_log(before), _log(latency)) - expected > math.log(_JUMP):
                # two blocks in a row at `best` more than twice as slow as that: the
                # service is overloaded (or slower); halve at once, as Little's law would
                # at least, rather than finish the trial
                # (and probe down by a quarter: an eighth, in a service queueing at every
                # limit, is too small a difference to be decided quickly)
                self._end_trial_state()
                half = max(self._min, self._best // 2)
                self._move(half, -1, faster=False, step=max(1, half // 4))
                return
        if before is not None and probed is not None:
            # the probe against the mean of the blocks at `best` on either side of it
            self._diffs.append(_log_ratio(probed, (before + latency) / 2))
        verdict = self._verdict()
        clear = verdict is not None
        if not clear and self._probe != self._best:
            if len(self._diffs) < _MAX_PAIRS:
                self._start_block(True)
                return
            verdict = self._verdict(noise=False)  # no clear difference: the best guess
        self._end_trial(verdict, clear)

    def _verdict(self, *, noise: bool = True) -> bool | None:
        """Is the probe's limit worth it against ``best`` (up) or ``best`` against it (down)?

        None while the difference is within the noise (unless ``noise`` is False).
        """
        diffs = self._diffs
        n = len(diffs)
        if n == 0:
            return None
        best, probe = self._best, self._probe
        if probe > best and 2 * self._probe_filled < n:
            return False  # the caller did not use the extra slots: no evidence for them
        # the latency growth from the lower limit to the higher one, in log, against the
        # growth at which throughput grows by `gain` times the growth of the limit
        growth = statistics.fmean(diffs) if probe > best else -statistics.fmean(diffs)
        threshold = (1 - self._gain) * abs(math.log(probe / best))
        if not noise:
            return growth <= threshold
        sigma = self._sigma
        if n >= 2:
            sigma = max(sigma, statistics.stdev(diffs))
        error = _Z * sigma / math.sqrt(n)
        if growth + error < threshold:
            return True
        if growth - error > threshold:
            return False
        return None

    def _end_trial(self, verdict: bool | None, clear: bool) -> None:
        diffs = self._diffs
        if len(diffs) >= 2:
            variance = statistics.variance(diffs)
            self._sigma = math.sqrt(self._sigma**2 + (variance - self._sigma**2) * _SIGMA_SMOOTHING)
        # (a latency of 0 is a clock too coarse to see the calls, not a level to compare
        # later latencies with: any would look like an overload)
        references = [r for r in self._trial_references if r > 0]
        if references or self._trial_references:
            self._level = statistics.fmean(_log(r) for r in references) if references else None
            self._level_limit = self._best
        self._end_trial_state()
        best, probe = self._best, self._probe
        if verdict is not None and diffs:
            # where between the two limits to go: if the service's knee lies between them,
            # calls queue at the higher one in proportion to how far it is past the knee,
            # so (Little's law) the knee is the higher limit over the latency growth; for a
            # knee outside, that lands on the limit nearest to it
            growth = statistics.fmean(diffs) if probe > best else -statistics.fmean(diffs)
            knee = max(best, probe) * math.exp(-growth)
            if verdict and probe > best:
                target = min(probe, max(best + 1, round(knee)))
                # (within a base step of the probe, the knee is not in sight: keep speeding)
                self._move(target, 1, faster=clear and target >= probe - _base_step(probe))
                return
            if not verdict and probe < best:
                # (going down, steps double even on a best guess: a bigger step that
                # crosses the knee shows less than full queueing, and stops there)
                self._move(min(best - 1, max(probe, round(knee))), -1, faster=True)
                return
        # `best` confirmed (or nothing to probe): stay, and probe the other side next
        self._moved = False
        self._step = _base_step(best)
        self._direction = -self._direction
        self._next_trial()

    def _end_trial_state(self) -> None:
        self._diffs = []
        self._probe_filled = 0
        self._trial_references = []

    def _move(self, best: int, direction: int, *, faster: bool, step: int = 0) -> None:
        """Make ``best`` the limit held best.  When this move and the last one may both
        speed up (``faster``) and go the same way, the next step doubles (else it is
        ``step``, or the base step)."""
        if faster and self._moved and direction == self._direction:
            step = 2 * self._step  # still moving the same way: go faster
        elif not step:
            step = _base_step(best)
        self._step = max(1, min(step, best))
        self._moved = faster
        self._direction = direction
        self._best = best
        self._reference = None  # measure the new limit before probing around it
        self._next_trial()

    def _next_trial(self) -> None:
        best, step = self._best, self._step
        up = min(self._max, best + step)
        down = max(self._min, best - min(step, max(1, best // 2)))
        if self._direction > 0 and up == best:
            self._direction = -1
        elif self._direction < 0 and down == best:
            self._direction = 1
        self._probe = up if self._direction > 0 else down
        # a trial starts with a block at `best`, unless the last block measured it
        self._start_block(self._reference is not None and self._probe != best)

    def _back_off(self) -> None:
        self._updates += 1
        self._best = max(self._min, math.floor(self._best * self._backoff))
        self._step = _base_step(self._best)
        self._moved = False
        self._direction = 1
        self._reference = None
        self._probe_latency = None
        self._end_trial_state()
        self._next_trial()

    def statistics(self) -> AdaptiveStatistics:
        """A frozen snapshot: limits, in flight, waiting, latency, counts."""
        lim = self._lim.statistics()
        return AdaptiveStatistics(
            limit=lim.limit,
            best=self._best,
            probing=self._probing,
            min_limit=self._min,
            max_limit=self._max,
            in_flight=lim.in_flight,
            waiting=lim.waiting,
            latency=self._latency,
            samples=self._samples,
            errors=self._errors,
            updates=self._updates,
        )


def _base_step(best: int) -> int:
    return max(1, round(best / _STEP_SHARE))


def _winsorized_mean(values: list[float]) -> float:
    """The mean of ``values`` with those above the 95th percentile counted as it.

    When that percentile is 0 (a clock that counts milliseconds measures most sub-millisecond
    calls as 0), the plain mean: the few calls the clock saw are then the only signal.
    """
    ordered = sorted(values)
    n = len(ordered)
    top = min(n - 1, int(_WINSOR * n))
    if ordered[top] <= 0:
        return math.fsum(ordered) / n
    return (math.fsum(ordered[:top]) + ordered[top] * (n - top)) / n


_TINY = 1e-9
"""Seconds added to latencies before taking logarithms: a clock that counts milliseconds
(uvloop's) or a virtual one can measure 0."""


def _log(latency: float) -> float:
    return math.log(latency + _TINY)


def _log_ratio(a: float, b: float) -> float:
    return _log(a) - _log(b)
