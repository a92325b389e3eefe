"""amap: map an async function over a (possibly endless) iterable, bounded and streamed."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Awaitable,
    Callable,
    Iterable,
)
from typing import Literal, TypeVar, overload

from ._rate import RateLimiter

__all__ = ["amap"]

_T = TypeVar("_T")
_R = TypeVar("_R")


@overload
def amap(
    fn: Callable[[_T], Awaitable[_R]],
    iterable: Iterable[_T] | AsyncIterable[_T],
    *,
    limit: int,
    rate: float | None = ...,
    per: float = ...,
    ordered: bool = ...,
    return_exceptions: Literal[False] = ...,
) -> AsyncGenerator[_R, None]: ...


@overload
def amap(
    fn: Callable[[_T], Awaitable[_R]],
    iterable: Iterable[_T] | AsyncIterable[_T],
    *,
    limit: int,
    rate: float | None = ...,
    per: float = ...,
    ordered: bool = ...,
    return_exceptions: bool,
) -> AsyncGenerator[_R | BaseException, None]: ...


def amap(
    fn: Callable[[_T], Awaitable[_R]],
    iterable: Iterable[_T] | AsyncIterable[_T],
    *,
    limit: int,
    rate: float | None = None,
    per: float = 1.0,
    ordered: bool = True,
    return_exceptions: bool = False,
) -> AsyncGenerator[_R | BaseException, None]:
    """Run ``await fn(item)`` for each item, at most ``limit`` at once, and yield the results.

    Think of a kitchen with ``limit`` cooks taking orders from a ticket printer: a new
    ticket is printed only when a cook is free, so a million orders never pile up on the
    counter; dishes go out in the order they were ordered (``ordered=True``) or as soon
    as they are ready (``ordered=False``).

    >>> async for page in amap(fetch, urls, limit=10, rate=20):   # 10 at once, 20/s
    ...     save(page)

    ``iterable`` may be sync or async; it is consumed lazily.  At most ``limit`` calls run
    at once; with ``ordered=True`` the results that finished ahead of a slower earlier
    one wait in a buffer, and no new item is taken while ``2 * limit`` items are taken
    but not yet yielded, so memory grows with ``limit``, never with the input.  With
    ``ordered=False`` at most ``limit`` items are taken and not yet yielded.  ``rate``
    (optional) adds a :class:`RateLimiter`: at most ``rate`` calls start in any window
    of ``per`` seconds (a ``rate`` below 1 means one call every ``per / rate`` seconds).

    Failures: when a call raises, the calls still running are cancelled (and awaited),
    nothing more is taken from the input, and the first exception is raised itself (not
    wrapped in an :class:`ExceptionGroup`; errors raised by the cancelled calls while
    they unwind are dropped).  With ``return_exceptions=True`` nothing is cancelled and
    each exception object is yielded in its item's place instead.  An async generator
    given as input is closed (``aclose``) when ``amap`` stops before exhausting it.

    Closing early (``break`` out of the loop, ``aclose()``) cancels the calls in flight
    and awaits them.  Python closes an abandoned async generator only when it is
    garbage-collected, so wrap the call in :func:`contextlib.aclosing` to close it at
    the ``break`` itself::

        async with contextlib.aclosing(amap(fetch, urls, limit=10)) as results:
            async for page in results:
                if done(page):
                    break
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be an int of at least 1, got {limit!r}")
    limiter = None if rate is None else RateLimiter(rate, per)
    if rate is not None and rate < 1:
        # each call costs 1, which a window holding less than 1 could never grant:
        # "0.5 per second" means one call every 2 seconds
        limiter = RateLimiter(1, per / rate)
    return _amap(fn, iterable, limit, limiter, ordered, return_exceptions)


async def _amap(
    fn: Callable[[_T], Awaitable[_R]],
    iterable: Iterable[_T] | AsyncIterable[_T],
    limit: int,
    limiter: RateLimiter | None,
    ordered: bool,
    return_exceptions: bool,
) -> AsyncGenerator[_R | BaseException, None]:
    if isinstance(iterable, AsyncIterable):
        aiter_ = aiter(iterable)
        sync_iter = None
    else:
        aiter_ = None
        sync_iter = iter(iterable)
    window = 2 * limit if ordered else limit

    async def call(item: _T) -> _R:
        if limiter is not None:
            await limiter.acquire()
        awaitable = fn(item)
        if not inspect.isawaitable(awaitable):
            raise TypeError(
                f"amap: fn must return an awaitable (pass an async function), "
                f"but {fn!r} returned {type(awaitable).__name__}"
            )
        return await awaitable

    running: dict[asyncio.Task[_R], int] = {}
    done: dict[int, asyncio.Task[_R]] = {}  # finished, not yet yielded, by input index
    taken = 0  # items taken from the input
    yielded = 0  # with ordered=True, also the index of the next result to yield
    exhausted = False
    try:
        while True:
            while not exhausted and len(running) < limit and taken - yielded < window:
                if aiter_ is not None:
                    try:
                        item = await anext(aiter_)
                    except StopAsyncIteration:
                        exhausted = True
                        break
                else:
                    assert sync_iter is not None
                    try:
                        item = next(sync_iter)
                    except StopIteration:
                        exhausted = True
                        break
                running[asyncio.create_task(call(item))] = taken
                taken += 1
            if not running and not done:
                return
            if running and (not ordered or yielded not in done):
                finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in sorted(finished, key=running.__getitem__):
                    index = running.pop(task)
                    if not return_exceptions:
                        _raise_failure(task)
                    done[index] = task
            if ordered:
                while yielded in done:
                    task = done.pop(yielded)
                    yielded += 1
                    yield _outcome(task)
            else:
                for index in sorted(done):
                    task = done.pop(index)
                    yielded += 1
                    yield _outcome(task)
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)
            for task in running:
                if not task.cancelled():
                    task.exception()  # retrieved: no "exception never retrieved" warning
        for task in done.values():  # finished, never yielded (return_exceptions=True)
            if not task.cancelled():
                task.exception()
        if not exhausted and isinstance(aiter_, AsyncGenerator):
            await aiter_.aclose()  # we stop consuming it: let its own finally blocks run


def _raise_failure(task: asyncio.Task[_R]) -> None:
    if task.cancelled():
        raise asyncio.CancelledError(f"amap: a call was cancelled ({task.get_name()})")
    exc = task.exception()
    if exc is not None:
        raise exc


def _outcome(task: asyncio.Task[_R]) -> _R | BaseException:
    if task.cancelled():
        return asyncio.CancelledError()
    exc = task.exception()
    return task.result() if exc is None else exc
