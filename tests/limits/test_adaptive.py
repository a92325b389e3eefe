"""AdaptiveLimiter: settles near the knee of slow and fast services, backs off on errors
and overload.

Every convergence test runs on the virtual clock (``_vclock.py``): the simulated services'
times are exact and seeded, so the outcome is the same on an idle machine and a loaded
one, and minutes of traffic take a second.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import random
import statistics
from collections.abc import Awaitable, Callable

import pytest

from asyncdoctor.limits import AdaptiveLimiter, AdaptiveStatistics

from ._vclock import run_virtual
from .conftest import Runner


class _Service:
    """``capacity`` calls served at once, each for ``service_time`` +/- 20%; the rest queue.

    So throughput is flat past ``capacity`` and latency grows linearly: the knee is at
    concurrency ``capacity``, sharp (a slow service: workers, connections, locks).
    ``failing`` makes every call raise.
    """

    def __init__(self, capacity: int, service_time: float, seed: int) -> None:
        self.slots = asyncio.Semaphore(capacity)
        self._time = service_time
        self._rnd = random.Random(seed)
        self.failing = False

    async def call(self) -> None:
        async with self.slots:
            await asyncio.sleep(self._time * self._rnd.uniform(0.8, 1.2))
        if self.failing:
            raise ConnectionError("service unavailable")


class _FastService:
    """The shape of a fast target (a database answering ``SELECT 1``, a loopback server),
    in milliseconds rather than tenths of them.

    Every call crosses a network delay, the server's one CPU and the client's own event
    loop (both with exponential service times, so queues build up gradually), and one in
    a hundred meets a stall of the machine.  Throughput grows ever more slowly with
    concurrency, and latency grows long before throughput stops growing: there is no
    sharp knee, and a limiter that reads every latency increase as queueing settles at 2
    (with half the throughput: what a gradient limiter did).
    """

    def __init__(self, seed: int) -> None:
        self._server = asyncio.Semaphore(1)
        self._loop = asyncio.Semaphore(1)
        self._rnd = random.Random(seed)

    async def call(self) -> None:
        rnd = self._rnd
        await asyncio.sleep(0.001 * rnd.uniform(0.5, 1.5))
        async with self._server:
            await asyncio.sleep(rnd.expovariate(1 / 0.001))
        async with self._loop:
            await asyncio.sleep(rnd.expovariate(1 / 0.0008))
        if rnd.random() < 0.01:
            await asyncio.sleep(0.05 * rnd.uniform(0.5, 1.5))


Call = Callable[[], Awaitable[None]]


async def _drive(
    ad: AdaptiveLimiter, call: Call, clients: int, seconds: float, *, every: float = 0.1
) -> tuple[list[int], int]:
    """Closed-loop clients calling through ``ad`` for ``seconds``; the limit held best
    sampled every ``every`` seconds, and the calls that succeeded in the second half."""
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    half = loop.time() + seconds / 2
    limits: list[int] = []
    done = 0

    async def client() -> None:
        nonlocal done
        while loop.time() < stop:
            try:
                async with ad:
                    await call()
            except ConnectionError:
                await asyncio.sleep(0.01)
            else:
                done += loop.time() >= half

    async def sample() -> None:
        while loop.time() < stop:
            await asyncio.sleep(every)
            limits.append(ad.best)

    await asyncio.gather(sample(), *(client() for _ in range(clients)))
    return limits, done


def _fixed_throughput(make: Callable[[], Call], level: int, seconds: float) -> float:
    """Calls per second of ``level`` closed-loop clients, over the second half."""

    async def main() -> float:
        call = make()
        loop = asyncio.get_running_loop()
        stop, half = loop.time() + seconds, loop.time() + seconds / 2
        done = 0

        async def client() -> None:
            nonlocal done
            while loop.time() < stop:
                await call()
                done += loop.time() >= half

        await asyncio.gather(*(client() for _ in range(level)))
        return done / (seconds / 2)

    return run_virtual(main)


@pytest.mark.parametrize(("capacity", "seed"), [(10, 1), (40, 2), (40, 3)])
def test_settles_near_the_capacity_of_a_slow_service(capacity: int, seed: int) -> None:
    async def main() -> list[int]:
        ad = AdaptiveLimiter(initial=4, max_limit=500)
        service = _Service(capacity, 0.05, seed)
        limits, _ = await _drive(ad, service.call, clients=4 * capacity, seconds=30)
        return limits

    limits = run_virtual(main)
    settled = statistics.mean(limits[len(limits) // 2 :])
    # probes go one step above and below; the knee itself is where it stays
    assert 0.8 * capacity <= settled <= 1.2 * capacity, (settled, limits[-20:])
    assert max(limits[len(limits) // 2 :]) <= 1.5 * capacity


@functools.cache
def _fast_curve() -> dict[int, float]:
    """The fast service's throughput at fixed limits, measured in the same simulation."""
    make = lambda: _FastService(seed=0).call  # noqa: E731
    return {level: _fixed_throughput(make, level, 20) for level in (1, 2, 4, 6, 8, 10, 12, 16, 24)}


@pytest.mark.parametrize("initial", [1, 10, 32])
def test_settles_near_the_knee_of_a_fast_service(initial: int) -> None:
    curve = _fast_curve()
    best = max(curve.values())
    # the knee as tune defines it: the smallest limit that gets 95% of the best throughput
    knee = min(level for level, rate in curve.items() if rate >= 0.95 * best)
    assert curve[2] < 0.6 * best  # (the trap: at 2, latency has grown already)

    async def main() -> tuple[list[int], int]:
        ad = AdaptiveLimiter(initial=initial, max_limit=32)
        return await _drive(ad, _FastService(seed=initial).call, clients=32, seconds=40)

    limits, done = run_virtual(main)
    settled = statistics.median(limits[len(limits) // 2 :])
    # no sharp knee: where it settles matters less than what it gets there
    assert 0.5 * knee <= settled <= 2 * knee, (knee, settled, curve)
    assert done / 20 >= 0.9 * best, (done / 20, curve)


def test_app_limited_callers_do_not_inflate_the_limit() -> None:
    async def main() -> int:
        ad = AdaptiveLimiter(initial=8, max_limit=500)
        await _drive(ad, _Service(100, 0.05, 1).call, clients=3, seconds=10)
        return ad.best

    assert run_virtual(main) <= 10


def test_errors_cut_the_limit_and_it_recovers_after() -> None:
    async def main() -> tuple[int, int, int, AdaptiveStatistics]:
        ad = AdaptiveLimiter(initial=4, min_limit=2, max_limit=500)
        service = _Service(30, 0.05, 4)
        await _drive(ad, service.call, clients=100, seconds=15)
        healthy = ad.best
        service.failing = True
        await _drive(ad, service.call, clients=100, seconds=3)
        failing = ad.best
        service.failing = False
        await _drive(ad, service.call, clients=100, seconds=15)
        return healthy, failing, ad.best, ad.statistics()

    healthy, failing, recovered, stats = run_virtual(main)
    assert healthy >= 24
    assert failing == 2  # multiplicative decrease down to the floor
    assert recovered >= 24
    assert stats.errors > 0
    assert stats.samples > 0
    assert stats.min_limit == 2


def test_backs_off_when_the_service_loses_capacity() -> None:
    # real overload: the service that served 40 at once can now serve 10 (a replica went
    # away); the limit must follow it down at once, not keep 30 calls queued for good
    async def main() -> tuple[int, list[int]]:
        ad = AdaptiveLimiter(initial=10, max_limit=500)
        service = _Service(40, 0.05, 5)
        await _drive(ad, service.call, clients=160, seconds=20)
        before = ad.best
        service.slots = asyncio.Semaphore(10)
        limits, _ = await _drive(ad, service.call, clients=160, seconds=20)
        return before, limits

    before, limits = run_virtual(main)
    assert 32 <= before <= 48
    # latency at the same limit quadrupled: two blocks at the limit show it, and the limit
    # halves at once (within 3 s: 40 calls per block, 200 calls/s now)
    assert limits[29] <= 0.6 * before, limits[:30]
    settled = statistics.mean(limits[len(limits) // 2 :])
    assert 8 <= settled <= 14, (settled, limits)


def test_a_service_that_got_slower_but_not_busier_keeps_its_limit() -> None:
    # every call now takes 4 times as long (a slower network, say), but nothing queues:
    # more concurrency still pays in proportion, so the limit comes back to the ceiling
    # (a baseline of the old latency would read the new one as endless queueing)
    latency = 0.001

    async def call() -> None:
        await asyncio.sleep(latency)

    async def main() -> tuple[int, int]:
        nonlocal latency
        ad = AdaptiveLimiter(initial=4, max_limit=20)
        await _drive(ad, call, clients=20, seconds=5, every=0.01)
        before = ad.best
        latency = 0.004
        await _drive(ad, call, clients=20, seconds=20, every=0.01)
        return before, ad.best

    assert run_virtual(main) == (20, 20)


def test_ceiling_and_floor_hold() -> None:
    async def main() -> list[int]:
        ad = AdaptiveLimiter(initial=3, min_limit=3, max_limit=12)
        service = _Service(1000, 0.05, 5)
        limits: list[int] = []
        loop = asyncio.get_running_loop()
        stop = loop.time() + 10

        async def client() -> None:
            while loop.time() < stop:
                async with ad:
                    await service.call()

        async def sample() -> None:
            while loop.time() < stop:
                await asyncio.sleep(0.01)
                limits.append(ad.limit)  # the limit in force, probes included

        await asyncio.gather(sample(), *(client() for _ in range(50)))
        return limits

    limits = run_virtual(main)
    assert min(limits) >= 3
    assert max(limits) == 12


def test_cancelled_block_gives_the_slot_back_without_a_sample(run: Runner) -> None:
    async def main() -> None:
        ad = AdaptiveLimiter(initial=2)
        entered = asyncio.Event()

        async def slow() -> None:
            async with ad:
                entered.set()
                await asyncio.sleep(10)

        task = asyncio.create_task(slow())
        await entered.wait()
        assert ad.in_flight == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        stats = ad.statistics()
        assert (stats.in_flight, stats.samples, stats.errors) == (0, 0, 0)

    run(main)


def test_exception_counts_as_an_error(run: Runner) -> None:
    async def main() -> None:
        ad = AdaptiveLimiter(initial=2)
        with pytest.raises(KeyError):
            async with ad:
                raise KeyError("x")
        async with ad:
            pass
        stats = ad.statistics()
        assert (stats.in_flight, stats.samples, stats.errors) == (0, 1, 1)

    run(main)


def test_token_api(run: Runner) -> None:
    async def main() -> None:
        ad = AdaptiveLimiter(initial=1, max_limit=1, min_window=1)  # one call per block
        token = await ad.acquire()
        assert ad.in_flight == 1
        token.success(latency=0.5)
        with pytest.raises(RuntimeError):
            token.success()
        (await ad.acquire()).error()
        (await ad.acquire()).ignore()
        async with ad as t:
            t.error()  # reported inside the block: the exit does not report again
        stats = ad.statistics()
        assert (stats.in_flight, stats.samples, stats.errors) == (0, 1, 2)
        assert stats.latency == pytest.approx(0.5)
        assert (stats.limit, stats.best, stats.probing) == (1, 1, False)

    run(main)


def test_nested_blocks_in_one_task_and_many_tasks(run: Runner) -> None:
    async def main() -> None:
        ad = AdaptiveLimiter(initial=5, min_limit=5, max_limit=5)
        inner = AdaptiveLimiter(initial=5)

        async def user() -> None:
            # nested blocks of two limiters (nesting one limiter can deadlock, as with
            # any semaphore); each exit must pair with its own limiter's entry
            async with ad, inner:
                await asyncio.sleep(0.001)

        await asyncio.gather(*(user() for _ in range(20)))
        for limiter in (ad, inner):
            stats = limiter.statistics()
            assert (stats.in_flight, stats.samples) == (0, 20)

    run(main)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_limit": 0},
        {"min_limit": 5, "max_limit": 4},
        {"initial": 50, "max_limit": 10},
        {"gain": 0},
        {"gain": 1},
        {"backoff": 1.0},
        {"min_window": 0},
    ],
)
def test_bad_arguments(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        AdaptiveLimiter(**kwargs)  # type: ignore[arg-type]


def test_statistics_are_frozen() -> None:
    stats = AdaptiveLimiter().statistics()
    assert (stats.limit, stats.best) == (10, 10)
    assert stats.latency is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.limit = 1  # type: ignore[misc]


def test_calls_faster_than_the_clock_do_not_collapse_the_limit() -> None:
    # calls shorter than the clock's tick measure 0 (uvloop counts milliseconds); that
    # is no evidence of queueing, and neither is the first real latency after them
    async def main() -> AdaptiveStatistics:
        ad = AdaptiveLimiter(initial=10, max_limit=100)

        async def call(seconds: float) -> None:
            async with ad:
                await asyncio.sleep(seconds)

        for _ in range(30):
            await asyncio.gather(*(call(0) for _ in range(100)))
        assert ad.best == 100  # nothing measured queued: up to the ceiling
        for _ in range(30):
            await asyncio.gather(*(call(0.002) for _ in range(100)))
        return ad.statistics()

    stats = run_virtual(main)
    assert stats.latency == pytest.approx(0.002)
    assert stats.best == 100


@pytest.mark.parametrize("latency", [float("nan"), -0.5, float("inf")])
def test_reported_latency_must_be_a_finite_non_negative_number(latency: float) -> None:
    async def main() -> None:
        ad = AdaptiveLimiter(initial=2)
        token = await ad.acquire()
        with pytest.raises(ValueError, match="latency must be"):
            token.success(latency=latency)
        assert not token.done  # still held: the caller may report again
        token.success(latency=0.01)
        assert ad.in_flight == 0

    run_virtual(main)
