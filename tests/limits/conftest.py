"""Fixtures for the limits tests: run a coroutine on a chosen loop.

``run`` is parametrised over the virtual-clock loop and the two real loops (asyncio's
own and uvloop, when installed); tests whose schedules are long use ``run_virtual``
alone, tests of behaviour that needs no clock run on all three.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from ._vclock import VirtualClockLoop
from ._vclock import with_timeout as _with_timeout

_T = TypeVar("_T")

Runner = Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]


def _factory(kind: str) -> Callable[[], asyncio.AbstractEventLoop]:
    if kind == "virtual":
        return VirtualClockLoop
    if kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        return uvloop.new_event_loop  # type: ignore[no-any-return]
    return asyncio.new_event_loop


@pytest.fixture(params=["virtual", "asyncio", "uvloop"])
def loop_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["asyncio", "uvloop"])
def real_loop_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _runner(kind: str) -> Runner:
    factory = _factory(kind)

    # a deadlocked test fails (virtual clock: after 1 virtual hour) instead of hanging
    limit = 3600.0 if kind == "virtual" else 30.0

    def run(main: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
        with asyncio.Runner(loop_factory=factory) as runner:
            return runner.run(_with_timeout(main, limit))

    return run


async def settle(cycles: int = 5) -> None:
    """Let the loop run ``cycles`` times: what is ready runs, however slow the machine."""
    for _ in range(cycles):
        await asyncio.sleep(0)


@pytest.fixture
def run(loop_kind: str) -> Runner:
    """Run ``main()`` on the virtual-clock loop, asyncio's loop and uvloop in turn."""
    return _runner(loop_kind)


@pytest.fixture
def run_real(real_loop_kind: str) -> Runner:
    """Run ``main()`` on asyncio's loop and on uvloop (real clocks)."""
    return _runner(real_loop_kind)
