"""BoundedTaskGroup: an asyncio.TaskGroup that runs at most ``limit`` of its tasks at once."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine
from typing import Any, TypeVar

from ._concurrency import ConcurrencyLimiter

__all__ = ["BoundedTaskGroup"]

_T = TypeVar("_T")


class BoundedTaskGroup(asyncio.TaskGroup):
    """An :class:`asyncio.TaskGroup` whose tasks run at most ``limit`` at a time.

    Think of a TaskGroup with a doorman: :meth:`create_task` never blocks, it returns
    the task at once, but each task's body waits for a free slot of an internal
    :class:`ConcurrencyLimiter` (FIFO, so tasks start in the order they were created)
    before the coroutine runs.

    >>> async with BoundedTaskGroup(limit=10) as tg:
    ...     tasks = [tg.create_task(fetch(url)) for url in urls]   # 10 fetch at once
    >>> results = [t.result() for t in tasks]

    Failure semantics are TaskGroup's own: the first task that raises cancels the
    others and the group raises an :class:`ExceptionGroup` of the errors on exit.  The
    queued tasks never start (not even the one the failed task's slot would have gone
    to), and their coroutines are closed, so no "never awaited" warning appears.

    It bounds how many tasks *run*, not how many exist: every ``create_task`` makes a
    (small) waiting task.  To bound memory with a huge input, stream it through
    :func:`~asyncdoctor.limits.amap` instead.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limiter = ConcurrencyLimiter(limit)
        self._failed = False

    @property
    def limiter(self) -> ConcurrencyLimiter:
        """The group's limiter: read its statistics, or change its ``limit`` at runtime."""
        return self._limiter

    def create_task(  # type: ignore[override]
        self,
        coro: Coroutine[Any, Any, _T],
        *,
        name: str | None = None,
        context: contextvars.Context | None = None,
    ) -> asyncio.Task[_T]:
        """Create a task that runs ``coro`` once one of the ``limit`` slots is free."""
        if not asyncio.iscoroutine(coro):
            # as TaskGroup.create_task does, at once: wrapped, it would fail the whole
            # group later (and break the done callback below)
            raise TypeError(f"a coroutine was expected, got {coro!r}")
        wrapper = self._bounded(coro)
        try:
            task = super().create_task(wrapper, name=name, context=context)
        except BaseException:
            # the group is closed or aborting (Python 3.11 does not close the coroutine)
            wrapper.close()
            coro.close()
            raise
        # a task cancelled before it got a slot (or before its first step) never awaits
        # ``coro``: close it so that no "coroutine was never awaited" warning appears
        task.add_done_callback(lambda _task: coro.close())
        return task

    async def _bounded(self, coro: Coroutine[Any, Any, _T]) -> _T:
        async with self._limiter:
            if self._failed:
                # a sibling failed and handed us its slot before the group could cancel
                # us: do not start (the group cancels every task on the next loop cycle)
                raise asyncio.CancelledError
            try:
                return await coro
            except BaseException as exc:
                if not isinstance(exc, asyncio.CancelledError):
                    self._failed = True  # the group aborts on this error
                raise
