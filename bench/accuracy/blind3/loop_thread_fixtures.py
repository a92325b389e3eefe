"""pytest fixtures for testing synchronous code that talks to an asyncio service.

The service runs on its own event loop in a background thread, so synchronous
tests can call into it with `portal.call(coro_fn, ...)`.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Awaitable, Callable, Iterator, TypeVar

import pytest

T = TypeVar("T")


class LoopPortal:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="portal-loop", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def start(self) -> "LoopPortal":
        self._thread.start()
        self._ready.wait(5)
        return self

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any, timeout: float = 10) -> T:
        return asyncio.run_coroutine_threadsafe(fn(*args), self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@pytest.fixture(scope="session")
def portal() -> Iterator[LoopPortal]:
    p = LoopPortal().start()
    yield p
    p.stop()


class FakeQueueService:
    def __init__(self) -> None:
        self.items: asyncio.Queue[str] = asyncio.Queue()

    async def put(self, item: str) -> None:
        await self.items.put(item)

    async def get(self, timeout: float = 1.0) -> str:
        return await asyncio.wait_for(self.items.get(), timeout)


@pytest.fixture
def queue_service(portal: LoopPortal) -> FakeQueueService:
    async def make() -> FakeQueueService:
        return FakeQueueService()

    return portal.call(make)


def test_roundtrip(portal: LoopPortal, queue_service: FakeQueueService) -> None:
    portal.call(queue_service.put, "hello")
    assert portal.call(queue_service.get) == "hello"


def run_sync(coro_fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    """For plain sync tests that need one async call."""
    return asyncio.run(coro_fn(*args))


def test_get_times_out() -> None:
    service = run_sync(_make_service)
    with pytest.raises(TimeoutError):
        run_sync(service.get, 0.01)


async def _make_service() -> FakeQueueService:
    return FakeQueueService()
