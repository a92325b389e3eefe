"""amap: order, as-completed, streaming, failure semantics, early close, rate."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Iterator

import pytest

from asyncdoctor.limits import amap

from ._vclock import run_virtual
from .conftest import Runner


class _Probe:
    """Counts calls running at once and items the input has handed out."""

    def __init__(self) -> None:
        self.running = 0
        self.peak = 0
        self.pulled = 0
        self.started: list[int] = []
        self.cancelled: list[int] = []

    def items(self, n: int | None) -> Iterator[int]:
        i = 0
        while n is None or i < n:
            self.pulled += 1
            yield i
            i += 1

    async def aitems(self, n: int | None) -> AsyncIterator[int]:
        for i in self.items(n):
            await asyncio.sleep(0)
            yield i

    async def work(self, i: int, delay: float, fail_on: int | None = None) -> int:
        self.running += 1
        self.peak = max(self.peak, self.running)
        self.started.append(i)
        try:
            await asyncio.sleep(delay)
            if i == fail_on:
                raise ValueError(f"item {i}")
            return i * 10
        except asyncio.CancelledError:
            self.cancelled.append(i)
            raise
        finally:
            self.running -= 1


_NEVER = 3600.0
"""A call that only ends by being cancelled (a virtual hour; on a real loop, the test's
outcome must never hinge on which of two sleeps a busy machine ends first)."""


def _delay(i: int) -> float:
    return 0.001 * ((i * 7) % 5)  # out of order on purpose


@pytest.mark.parametrize("source", ["sync", "async"])
def test_ordered_results_in_input_order(run: Runner, source: str) -> None:
    async def main() -> None:
        probe = _Probe()
        items = probe.items(40) if source == "sync" else probe.aitems(40)
        out = [r async for r in amap(lambda i: probe.work(i, _delay(i)), items, limit=4)]
        assert out == [i * 10 for i in range(40)]
        assert probe.peak == 4
        assert not asyncio.all_tasks() - {asyncio.current_task()}

    run(main)


def test_unordered_results_as_completed() -> None:
    async def main() -> list[int]:
        delays = {0: 3.0, 1: 1.0, 2: 2.0, 3: 0.5}
        return [
            r
            async for r in amap(
                lambda i: asyncio.sleep(delays[i], i), range(4), limit=4, ordered=False
            )
        ]

    assert run_virtual(main) == [3, 1, 2, 0]


@pytest.mark.parametrize("ordered", [True, False])
def test_streams_the_input(ordered: bool) -> None:
    async def main() -> None:
        probe = _Probe()
        limit = 5
        ahead = 0
        consumed = 0
        async with contextlib.aclosing(
            amap(
                lambda i: probe.work(i, _delay(i) + 0.01),
                probe.items(None),
                limit=limit,
                ordered=ordered,
            )
        ) as results:
            async for _ in results:
                consumed += 1
                ahead = max(ahead, probe.pulled - consumed)
                await asyncio.sleep(0.003)  # a slow consumer
                if consumed == 300:
                    break
        # endless input: memory is bounded by the limit, never by the input
        assert ahead <= (2 * limit if ordered else limit)
        assert probe.peak <= limit

    run_virtual(main)


def test_failure_cancels_the_rest_and_raises_the_exception_itself(run: Runner) -> None:
    async def main() -> None:
        probe = _Probe()
        got: list[int] = []
        with pytest.raises(ValueError, match="item 3"):
            async for r in amap(
                lambda i: probe.work(i, 0.001 if i == 3 else _NEVER, fail_on=3),
                probe.items(100),
                limit=4,
            ):
                got.append(r)
        assert got == []
        assert sorted(probe.cancelled) == [0, 1, 2]
        assert probe.pulled <= 5  # nothing more taken after the failure
        assert not asyncio.all_tasks() - {asyncio.current_task()}

    run(main)


def test_return_exceptions_yields_them_in_place(run: Runner) -> None:
    async def main() -> None:
        async def f(i: int) -> int:
            await asyncio.sleep(0.001 * (5 - i))
            if i % 2:
                raise KeyError(i)
            return i

        out = [r async for r in amap(f, range(6), limit=3, return_exceptions=True)]
        assert [type(r) for r in out] == [int, KeyError] * 3
        assert out[0::2] == [0, 2, 4]

    run(main)


def test_aclose_cancels_in_flight_work_and_leaves_no_task(run: Runner) -> None:
    async def main() -> None:
        probe = _Probe()
        gen = amap(lambda i: probe.work(i, 0.01 if i == 0 else _NEVER), probe.items(None), limit=3)
        assert await anext(gen) == 0
        await gen.aclose()
        assert sorted(probe.cancelled) == [1, 2]  # 0 was yielded; 3 was never taken
        assert probe.running == 0
        assert not asyncio.all_tasks() - {asyncio.current_task()}

    run(main)


def test_break_without_aclosing_still_cleans_up_when_collected(run: Runner) -> None:
    async def main() -> None:
        probe = _Probe()
        async for _ in amap(
            lambda i: probe.work(i, 0.01 if i == 0 else _NEVER), range(10), limit=3
        ):
            break
        for _ in range(20):  # the loop's async-generator finaliser runs aclose()
            await asyncio.sleep(0)
            if not asyncio.all_tasks() - {asyncio.current_task()}:
                break
        assert not asyncio.all_tasks() - {asyncio.current_task()}
        assert probe.running == 0

    run(main)


def test_consumer_cancelled_cancels_the_calls(run: Runner) -> None:
    async def main() -> None:
        probe = _Probe()

        third = asyncio.Event()

        async def work(i: int) -> int:
            if i == 2:
                third.set()  # (the call starts in this same step, before anyone wakes)
            return await probe.work(i, _NEVER)

        async def consume() -> None:
            async for _ in amap(work, range(10), limit=3):
                pass

        task = asyncio.create_task(consume())
        await third.wait()  # not a sleep: a busy machine can take longer than any sleep
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert sorted(probe.cancelled) == [0, 1, 2]
        assert not asyncio.all_tasks() - {asyncio.current_task()}

    run(main)


def test_input_generator_is_closed_when_amap_stops_early(run: Runner) -> None:
    async def main() -> None:
        closed = False

        async def source() -> AsyncIterator[int]:
            nonlocal closed
            try:
                for i in range(100):
                    yield i
            finally:
                closed = True

        async with contextlib.aclosing(amap(lambda i: asyncio.sleep(0, i), source(), limit=2)) as g:
            async for r in g:
                if r == 3:
                    break
        assert closed

    run(main)


def test_rate_spaces_the_starts() -> None:
    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        starts: list[float] = []

        async def f(i: int) -> int:
            starts.append(loop.time())
            return i

        out = [r async for r in amap(f, range(12), limit=10, rate=4, per=1.0)]
        assert out == list(range(12))
        return starts

    assert run_virtual(main) == [0.0] * 4 + [1.0] * 4 + [2.0] * 4


def test_empty_input_and_bad_limit(run: Runner) -> None:
    async def main() -> None:
        empty: list[int] = []
        assert [r async for r in amap(lambda i: asyncio.sleep(0, i), empty, limit=2)] == []
        with pytest.raises(ValueError):
            amap(lambda i: asyncio.sleep(0, i), [1], limit=0)

    run(main)


def test_sync_fn_fails_with_a_clear_error(run: Runner) -> None:
    async def main() -> None:
        with pytest.raises(TypeError, match="fn must return an awaitable"):
            async for _ in amap(lambda i: i * 2, range(3), limit=2):  # type: ignore[arg-type,return-value]
                pass

    run(main)


def test_closing_with_buffered_errors_leaves_none_unretrieved(run: Runner) -> None:
    # return_exceptions=True: failed calls that finished ahead of a slow first item sat in
    # the buffer; closing then left their exceptions unretrieved ("Task exception was
    # never retrieved" from every one of them at garbage collection)
    async def main() -> list[str]:
        reported: list[str] = []
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, ctx: reported.append(ctx["message"]))
        first_started = asyncio.Event()

        async def fn(i: int) -> int:
            if i:
                raise ValueError(i)
            first_started.set()
            await asyncio.sleep(10)
            return i

        results = amap(fn, range(6), limit=6, return_exceptions=True)
        pending = asyncio.ensure_future(anext(results))
        await first_started.wait()
        for _ in range(3):
            await asyncio.sleep(0)
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pending
        await results.aclose()
        del pending, results
        gc.collect()
        await asyncio.sleep(0)
        return reported

    assert run(main) == []


def test_a_rate_below_one_spaces_the_calls() -> None:
    # rate=0.5 ("half a call per second") used to fail every call with "cost must be a
    # number in (0, 0.5]": a call counts 1, more than such a window could ever hold
    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        starts: list[float] = []

        async def fn(i: int) -> int:
            starts.append(loop.time())
            return i

        assert [r async for r in amap(fn, range(4), limit=4, rate=0.5)] == [0, 1, 2, 3]
        return starts

    assert run_virtual(main) == [0.0, 2.0, 4.0, 6.0]
