"""AdaptiveLimiter: converges to a simulated service's capacity, backs off on errors."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import statistics

import pytest

from asyncdoctor.limits import AdaptiveLimiter, AdaptiveStatistics

from ._vclock import run_virtual
from .conftest import Runner


class _Service:
    """``capacity`` calls served at once, each for ``service_time`` +/- 20%; the rest queue.

    So throughput is flat past ``capacity`` and latency grows linearly: the knee is at
    concurrency ``capacity``.  ``failing`` makes every call raise.
    """

    def __init__(self, capacity: int, service_time: float, seed: int) -> None:
        self._sem = asyncio.Semaphore(capacity)
        self._time = service_time
        self._rnd = random.Random(seed)
        self.failing = False

    async def call(self) -> None:
        async with self._sem:
            await asyncio.sleep(self._time * self._rnd.uniform(0.8, 1.2))
        if self.failing:
            raise ConnectionError("service unavailable")


async def _drive(ad: AdaptiveLimiter, service: _Service, clients: int, seconds: float) -> list[int]:
    """Closed-loop clients calling through ``ad`` for ``seconds``; the limit sampled every 0.1 s."""
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    limits: list[int] = []

    async def client() -> None:
        while loop.time() < stop:
            try:
                async with ad:
                    await service.call()
            except ConnectionError:
                await asyncio.sleep(0.01)

    async def sample() -> None:
        while loop.time() < stop:
            await asyncio.sleep(0.1)
            limits.append(ad.limit)

    await asyncio.gather(sample(), *(client() for _ in range(clients)))
    return limits


@pytest.mark.parametrize(("capacity", "seed"), [(10, 1), (40, 2), (40, 3)])
def test_settles_near_the_capacity_of_the_service(capacity: int, seed: int) -> None:
    async def main() -> list[int]:
        ad = AdaptiveLimiter(initial=4, max_limit=500)
        return await _drive(ad, _Service(capacity, 0.05, seed), clients=4 * capacity, seconds=30)

    limits = run_virtual(main)
    settled = statistics.mean(limits[len(limits) // 2 :])
    # the limit oscillates around the knee: it must exceed the capacity a little to see
    # queueing, then cuts to the capacity Little's law gives minus a queue allowance
    assert 0.8 * capacity <= settled <= 1.2 * capacity, (settled, limits[-20:])
    assert max(limits[len(limits) // 2 :]) <= 1.5 * capacity


def test_app_limited_callers_do_not_inflate_the_limit() -> None:
    async def main() -> int:
        ad = AdaptiveLimiter(initial=8, max_limit=500)
        await _drive(ad, _Service(100, 0.05, 1), clients=3, seconds=10)
        return ad.limit

    assert run_virtual(main) <= 10


def test_errors_cut_the_limit_and_it_recovers_after() -> None:
    async def main() -> tuple[int, int, int, AdaptiveStatistics]:
        ad = AdaptiveLimiter(initial=4, min_limit=2, max_limit=500)
        service = _Service(30, 0.05, 4)
        await _drive(ad, service, clients=100, seconds=15)
        healthy = ad.limit
        service.failing = True
        await _drive(ad, service, clients=100, seconds=3)
        failing = ad.limit
        service.failing = False
        await _drive(ad, service, clients=100, seconds=15)
        return healthy, failing, ad.limit, ad.statistics()

    healthy, failing, recovered, stats = run_virtual(main)
    assert healthy >= 20
    assert failing == 2  # multiplicative decrease down to the floor
    assert recovered >= 20
    assert stats.errors > 0
    assert stats.samples > 0
    assert stats.min_limit == 2


def test_ceiling_and_floor_hold() -> None:
    async def main() -> list[int]:
        ad = AdaptiveLimiter(initial=3, min_limit=3, max_limit=12)
        return await _drive(ad, _Service(1000, 0.05, 5), clients=50, seconds=10)

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
        ad = AdaptiveLimiter(initial=1, max_limit=1, min_window=1)  # one sample per window
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
        assert stats.latency_baseline == pytest.approx(0.5)
        assert stats.updates == 3

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
        {"smoothing": 0},
        {"tolerance": 1.0},
        {"backoff": 1.0},
        {"min_window": 0},
        {"baseline_drift": 2},
    ],
)
def test_bad_arguments(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        AdaptiveLimiter(**kwargs)  # type: ignore[arg-type]


def test_statistics_are_frozen() -> None:
    stats = AdaptiveLimiter().statistics()
    assert stats.limit == 10
    assert stats.latency is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.limit = 1  # type: ignore[misc]


def test_zero_latency_windows_do_not_become_the_baseline() -> None:
    # calls shorter than the clock's tick measure 0 (uvloop counts milliseconds); a 0
    # baseline made the first real latency look like endless queueing, and the limit
    # fell to the floor although nothing queued
    async def main() -> AdaptiveStatistics:
        ad = AdaptiveLimiter(initial=10, max_limit=100)

        async def call(seconds: float) -> None:
            async with ad:
                await asyncio.sleep(seconds)

        for _ in range(30):
            await asyncio.gather(*(call(0) for _ in range(100)))
        assert ad.statistics().latency_baseline is None
        for _ in range(30):
            await asyncio.gather(*(call(0.002) for _ in range(100)))
        return ad.statistics()

    stats = run_virtual(main)
    assert stats.latency_baseline == pytest.approx(0.002)
    assert stats.limit == 100


def test_one_call_at_a_time_resets_a_stale_baseline() -> None:
    # the service became 4x slower for good while the limit was at the floor: at one
    # call at a time nothing queues, so that latency is the new no-load latency
    async def main() -> float | None:
        ad = AdaptiveLimiter(initial=1, max_limit=20)
        for seconds in [0.001] * 20 + [0.004] * 20:
            async with ad:
                await asyncio.sleep(seconds)
        return ad.statistics().latency_baseline

    assert run_virtual(main) == pytest.approx(0.004)


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
