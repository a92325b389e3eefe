from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections import defaultdict
from typing import Any, Awaitable, Callable

log = logging.getLogger("eventbus")

AsyncHandler = Callable[[dict[str, Any]], Awaitable[None]]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[AsyncHandler]] = defaultdict(list)
        self._background: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = asyncio.Event()
        self.delivered = 0

    def subscribe(self, topic: str, handler: AsyncHandler) -> None:
        self._handlers[topic].append(handler)

    async def _run_handler(self, handler: AsyncHandler, event: dict[str, Any]) -> None:
        try:
            await handler(event)
            self.delivered += 1
        except Exception:
            log.exception("handler %s failed for %s", getattr(handler, "__name__", handler), event.get("type"))

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Deliver to every subscriber and wait for all of them."""
        async with asyncio.TaskGroup() as tg:
            for handler in self._handlers[topic]:
                tg.create_task(self._run_handler(handler, event))

    async def publish_gathered(self, topic: str, event: dict[str, Any]) -> None:
        await asyncio.gather(*(self._run_handler(h, event) for h in self._handlers[topic]))

    def publish_nowait(self, topic: str, event: dict[str, Any]) -> None:
        for handler in self._handlers[topic]:
            task = asyncio.ensure_future(self._run_handler(handler, event))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _log_dispatch(self, topic: str) -> None:
        log.debug("dispatching %s to %d handlers", topic, len(self._handlers[topic]))

    def publish_from_thread(self, topic: str, event: dict[str, Any]) -> None:
        """Called by the legacy SOAP listener thread."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._log_dispatch, topic)
        fut = asyncio.run_coroutine_threadsafe(self.publish(topic, event), self._loop)
        fut.add_done_callback(lambda f: f.exception() and log.error("publish from thread failed: %r", f.exception()))

    def _request_stop(self) -> None:
        log.info("stop requested")
        self._stopped.set()

    async def serve(self, legacy_listener: Callable[["EventBus"], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.add_signal_handler(signal.SIGTERM, self._request_stop)
        self._loop.call_soon(self._log_dispatch, "startup")
        thread = threading.Thread(target=legacy_listener, args=(self,), daemon=True, name="soap-listener")
        thread.start()
        await self._stopped.wait()
        if self._background:
            await asyncio.wait(self._background, timeout=10)


async def audit_handler(event: dict[str, Any]) -> None:
    await asyncio.sleep(0)
    log.info("audit: %s", event)
