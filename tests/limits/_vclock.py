"""A test event loop with a virtual clock that jumps to the next timer when the loop idles.

Like trio's ``MockClock(autojump_threshold=0)``: ``loop.time()`` is virtual and starts at
0.0; whenever nothing is ready to run, the selector is polled without blocking, and if
no I/O is ready either, the clock jumps straight to the earliest timer.  A schedule of
minutes runs in milliseconds, and the times the limiters see are exact.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

_T = TypeVar("_T")


class _JumpSelector(selectors.BaseSelector):
    def __init__(self, loop: VirtualClockLoop) -> None:
        self._inner = selectors.DefaultSelector()
        self._loop = loop

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = self._inner.select(0)
        if events or timeout == 0:
            return events
        if timeout is None:  # no timer at all: really wait (threads, signals)
            return self._inner.select(None)
        self._loop.advance(timeout)
        return []

    def close(self) -> None:
        self._inner.close()

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._inner.get_map()


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose ``time()`` is virtual (see the module docstring)."""

    def __init__(self) -> None:
        self._virtual_time = 0.0
        super().__init__(_JumpSelector(self))

    def time(self) -> float:
        return self._virtual_time

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self._virtual_time += seconds


async def with_timeout(main: Callable[[], Coroutine[Any, Any, _T]], seconds: float) -> _T:
    """``await main()`` in the same task, failing after ``seconds`` (loop time)."""
    async with asyncio.timeout(seconds):
        return await main()


def run_virtual(main: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run ``main()`` to completion on a fresh :class:`VirtualClockLoop`."""
    with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
        # a deadlock fails after a virtual hour instead of hanging the test run
        return runner.run(with_timeout(main, 3600))
