"""The tune engine on in-process operations whose capacity is known.

A simulated service is an ``asyncio.Semaphore(n)`` held for ``service`` seconds:
its capacity is ``n / service`` calls per second, reached at concurrency ``n``,
and past it the extra callers only queue.  The sweep must find that knee.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest

from asyncdoctor.perf._tune import (
    AdaptiveResult,
    LevelResult,
    Op,
    TuneError,
    TuneProgress,
    TuneResult,
    TuneSettings,
    _weighted_median,
    fixed_op,
    measure_level,
    recommend,
    run_adaptive,
    tune,
)

FAST = {"warmup": 0.05, "min_samples": 20, "min_duration": 0.2, "max_duration": 1.0}


def _service(capacity: int, service: float) -> Op:
    slots = asyncio.Semaphore(capacity)

    async def op() -> None:
        async with slots:
            await asyncio.sleep(service)

    return op


def _within_20_percent(level: int | None, knee: int) -> bool:
    return level is not None and abs(level - knee) <= 0.2 * knee


@pytest.mark.parametrize("capacity", [6, 20])
def test_finds_the_knee_of_a_simulated_service(capacity: int) -> None:
    events: list[TuneProgress] = []

    async def main() -> TuneResult:
        return await tune(
            fixed_op(_service(capacity, 0.01)), max_level=256, progress=events.append, **FAST
        )

    # Two tries, as for the other knees: a burst of load elsewhere can throw one sweep off.
    for _attempt in range(2):
        events.clear()
        result = asyncio.run(main())
        if _within_20_percent(result.recommended, capacity):
            break
    assert _within_20_percent(result.recommended, capacity), result
    levels = [r.level for r in result.levels]
    assert levels == sorted(levels)
    assert max(levels) <= 4 * capacity  # stopped once the plateau was clear, not at max_level
    assert "saturated" in result.stopped or "two steps" in result.stopped, result.stopped
    assert any(r.phase == "refine" for r in result.levels)
    # each level reported when it starts and when it ends
    assert [e.level for e in events if e.result is None] == [
        e.level for e in events if e.result is not None
    ]


def test_runs_on_uvloop() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def main() -> TuneResult:
        return await tune(fixed_op(_service(4, 0.01)), max_level=16, **FAST)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        result = runner.run(main())
    assert _within_20_percent(result.recommended, 4)


def test_measure_level_counts_throughput_and_latency() -> None:
    async def main() -> LevelResult:
        return await measure_level(
            _service(4, 0.02),
            8,
            warmup=0.05,
            min_samples=40,
            min_duration=0.3,
            max_duration=2.0,
        )

    result = asyncio.run(main())
    assert result.level == 8 and result.errors == 0
    assert result.requests >= 40 and result.duration >= 0.3
    # 4 slots of 20 ms: 200 calls/s; 8 callers queue, so latency is about 40 ms
    assert 150 <= result.throughput <= 210
    assert 30 <= result.p50_ms <= 60
    assert result.p50_ms <= result.p90_ms <= result.p95_ms <= result.p99_ms <= result.max_ms


def test_an_op_that_never_yields_still_ends() -> None:
    calls = 0

    async def op() -> None:  # completes without ever suspending
        nonlocal calls
        calls += 1

    async def main() -> LevelResult:
        return await measure_level(
            op, 4, warmup=0.01, min_samples=100, min_duration=0.05, max_duration=0.5
        )

    result = asyncio.run(main())
    assert result.requests >= 100 and calls >= result.requests


def test_an_op_that_fails_at_once_is_counted_and_stops_the_sweep() -> None:
    async def op() -> None:
        raise ConnectionRefusedError("nobody home")

    async def main() -> TuneResult:
        return await tune(fixed_op(op), max_level=64, **FAST)

    result = asyncio.run(main())
    assert [r.level for r in result.levels] == [1]
    first = result.levels[0]
    assert first.requests == 0 and first.errors > 0 and first.error_rate == 1.0
    assert first.first_error == "ConnectionRefusedError: nobody home"
    assert result.recommended is None
    assert "error rate 100.0% is above the budget" in result.stopped
    assert "error budget" in result.reason


def test_stops_early_when_errors_explode_past_a_concurrency() -> None:
    in_flight = 0

    async def op() -> None:  # a service that rejects callers beyond 4 at once
        nonlocal in_flight
        in_flight += 1
        try:
            await asyncio.sleep(0.005)
            if in_flight > 4:
                raise RuntimeError("503 overloaded")
        finally:
            in_flight -= 1

    async def main() -> TuneResult:
        return await tune(fixed_op(op), max_level=256, **FAST)

    result = asyncio.run(main())
    levels = [r.level for r in result.levels]
    assert max(levels) == 8, levels  # the first level past 4 fails, the sweep stops there
    assert "error rate" in result.stopped and "503 overloaded" in result.stopped
    assert result.recommended == 4


def test_stops_early_when_latency_explodes_past_the_bound() -> None:
    in_flight = 0

    async def op() -> None:  # latency 2 ms * sqrt(c): throughput still rises, as sqrt(c)
        nonlocal in_flight
        in_flight += 1
        try:
            await asyncio.sleep(0.002 * math.sqrt(in_flight))
        finally:
            in_flight -= 1

    async def main() -> TuneResult:
        return await tune(fixed_op(op), max_level=256, latency_bound_ms=5.0, **FAST)

    result = asyncio.run(main())
    levels = [r.level for r in result.levels]
    # 64 callers: 16 ms, more than 3 times the bound (on a loaded machine the loop's own
    # delay can push level 32, 11.3 ms, over it first); never the whole way to 256
    assert max(levels) in (32, 64), levels
    assert "times the 5.0 ms bound" in result.stopped
    chosen = result.level(result.recommended)
    assert chosen is not None and chosen.p99_ms <= 5.0
    assert 2 <= chosen.level <= 6  # 2 ms * sqrt(6) = 4.9 ms


def test_explicit_levels_are_measured_exactly() -> None:
    async def main() -> TuneResult:
        return await tune(fixed_op(_service(3, 0.005)), levels=[5, 1, 3, 3], **FAST)

    result = asyncio.run(main())
    assert [r.level for r in result.levels] == [1, 3, 5]
    assert {r.phase for r in result.levels} == {"explicit"}
    assert result.stopped == "measured every level asked for"
    assert result.recommended == 3


def test_a_factory_is_opened_and_closed_per_level() -> None:
    opened: list[int] = []
    closed: list[int] = []

    def factory(level: int) -> AbstractAsyncContextManager[Op]:
        @asynccontextmanager
        async def session() -> AsyncIterator[Op]:
            opened.append(level)
            try:
                yield _service(2, 0.005)
            finally:
                closed.append(level)

        return session()

    async def main() -> TuneResult:
        return await tune(factory, levels=[1, 2], **FAST)

    asyncio.run(main())
    assert opened == closed == [1, 2]


def test_a_factory_that_fails_at_the_first_level_raises() -> None:
    def factory(level: int) -> AbstractAsyncContextManager[Op]:
        raise OSError("connection refused")

    async def main() -> TuneResult:
        return await tune(factory, **FAST)

    with pytest.raises(TuneError, match="cannot set up level 1: OSError: connection refused"):
        asyncio.run(main())


def test_a_factory_that_fails_at_a_higher_level_ends_the_sweep() -> None:
    op = _service(64, 0.005)

    def factory(level: int) -> AbstractAsyncContextManager[Op]:
        if level > 4:
            raise OSError("too many clients already")
        return fixed_op(op)(level)

    async def main() -> TuneResult:
        return await tune(factory, **FAST)

    result = asyncio.run(main())
    assert max(r.level for r in result.levels) == 4
    assert "stopped at level 8: setting it up failed" in result.stopped


# --- the recommendation rule, on synthetic measurements ----------------------------------------


def _level(level: int, rate: float, p99: float, errors: int = 0) -> LevelResult:
    return LevelResult(
        level=level,
        phase="sweep",
        requests=int(rate),
        errors=errors,
        duration=1.0,
        throughput=rate,
        p50_ms=p99 / 2,
        p90_ms=p99 * 0.9,
        p95_ms=p99 * 0.95,
        p99_ms=p99,
        mean_ms=p99 / 2,
        max_ms=p99,
    )


def _settings(bound: float | None = None, budget: float = 0.01) -> TuneSettings:
    return TuneSettings(
        levels=None,
        max_level=64,
        latency_bound_ms=bound,
        bound_percentile="p99",
        warmup=0.0,
        min_samples=1,
        min_duration=1.0,
        max_duration=1.0,
        error_budget=budget,
    )


CURVE = [
    _level(1, 100, 10),
    _level(2, 200, 10),
    _level(4, 380, 11),
    _level(8, 700, 12),
    _level(12, 960, 14),
    _level(16, 1000, 20),
    _level(32, 1010, 40),
]


def test_recommends_the_smallest_level_within_95_percent_of_the_best() -> None:
    level, reason = recommend(CURVE, _settings())
    assert level == 12  # 960 >= 0.95 * 1010; 700 is not
    assert "Level 12 gives 960 req/s, 95% of the best (1,010 req/s at level 32)" in reason


def test_prefers_the_last_level_before_queueing_when_overhead_blurs_the_knee() -> None:
    # a server with 8 slots, seen through a client whose own overhead is 14% of the call:
    # level 8 gets 91% of the best; levels above only queue (p90 jumps at 9)
    curve = [
        _level(4, 343, 16.0),
        _level(8, 672, 15.0),
        _level(9, 653, 18.4),
        _level(10, 707, 19.7),
        _level(12, 721, 23.6),
        _level(16, 740, 28.0),
    ]
    level, reason = recommend(curve, _settings())
    assert level == 8
    assert "last level before queueing starts" in reason and "at level 9" in reason
    # ... but not when that level is too far from the best throughput
    level, _ = recommend([*curve[:1], _level(8, 600, 15.0), *curve[2:]], _settings())
    assert level == 10


def test_the_latency_bound_excludes_levels_before_the_share_is_taken() -> None:
    level, reason = recommend(CURVE, _settings(bound=13.0))
    assert level == 8  # the best within 13 ms is level 8 itself
    assert "within the 13.0 ms bound" in reason


def test_levels_over_the_error_budget_are_not_recommended() -> None:
    curve = [*CURVE[:4], _level(12, 960, 14, errors=100), *CURVE[5:]]
    level, _ = recommend(curve, _settings())
    assert level == 16


def test_no_level_within_the_bound_means_no_recommendation() -> None:
    level, reason = recommend(CURVE, _settings(bound=5.0))
    assert level is None
    assert "No level met the p99 bound of 5.0 ms" in reason and "at level 1" in reason


# --- JSON, the adaptive phase -------------------------------------------------------------------


def test_result_json_is_plain_and_complete() -> None:
    async def main() -> TuneResult:
        return await tune(fixed_op(_service(2, 0.005)), levels=[1, 2], **FAST)

    result = asyncio.run(main())
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert data["schema"] == "asyncdoctor.tune/1"
    assert set(data) == {
        "schema", "target", "settings", "levels", "recommended", "reason", "stopped",
        "adaptive", "comparison",
    }  # fmt: skip
    assert [row["level"] for row in data["levels"]] == [1, 2]
    assert set(data["levels"][0]) >= {"level", "throughput", "p50_ms", "p99_ms", "errors"}
    assert data["settings"]["min_samples"] == FAST["min_samples"]


def test_the_adaptive_phase_settles_near_the_capacity() -> None:
    async def main() -> TuneResult:
        return await tune(
            fixed_op(_service(8, 0.01)), levels=[4, 8, 16], adaptive_duration=1.0, **FAST
        )

    result = asyncio.run(main())
    adaptive = result.adaptive
    assert adaptive is not None and adaptive.max_limit == max(r.level for r in result.levels)
    assert 1 <= adaptive.settled_limit <= adaptive.max_limit
    assert adaptive.min_limit_seen <= adaptive.settled_limit <= adaptive.max_limit_seen
    assert adaptive.requests > 0 and adaptive.throughput > 0
    assert result.comparison.startswith("AdaptiveLimiter (ceiling")
    json.dumps(result.to_json(), allow_nan=False)


def test_run_adaptive_counts_errors_and_latency() -> None:
    async def op() -> None:
        await asyncio.sleep(0.002)

    async def main() -> AdaptiveResult:
        return await run_adaptive(op, max_limit=4, duration=0.3)

    result = asyncio.run(main())
    assert result.errors == 0 and result.requests > 20
    assert 1.5 <= result.p50_ms <= 30


def test_weighted_median_weighs_time_not_changes() -> None:
    trace = [(0.0, 10), (5.0, 20), (5.1, 30), (5.2, 20), (9.0, 4)]
    # second half, 5..10 s: 20 for 0.1 + 3.8 s, 30 for 0.1 s, 4 for 1 s
    assert _weighted_median(trace, 5.0, 10.0) == 20
    assert _weighted_median([(0.0, 7)], 1.0, 2.0) == 7


def test_percentiles_of_nothing_are_nan_and_null_in_json() -> None:
    result = _level(1, 0, math.nan)
    assert math.isnan(result.p99_ms)
    assert result.to_json()["p99_ms"] is None
