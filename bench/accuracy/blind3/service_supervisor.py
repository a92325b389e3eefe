"""Supervises long-running service components and restarts them on failure."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Awaitable, Callable

log = logging.getLogger("supervisor")

Component = Callable[[], Awaitable[None]]


class Supervisor:
    def __init__(self, components: dict[str, Component], max_restarts: int = 5) -> None:
        self._components = components
        self._max_restarts = max_restarts
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.restarts: dict[str, int] = {name: 0 for name in components}

    async def _keep_running(self, name: str, component: Component) -> None:
        while True:
            try:
                await component()
                log.info("%s exited cleanly", name)
                return
            except asyncio.CancelledError:
                log.info("%s cancelled", name)
                raise
            except Exception:
                self.restarts[name] += 1
                if self.restarts[name] > self._max_restarts:
                    log.error("%s failed too often, giving up", name)
                    raise
                log.exception("%s crashed, restart %d", name, self.restarts[name])
                await asyncio.sleep(min(2 ** self.restarts[name], 60))

    def start(self) -> None:
        for name, component in self._components.items():
            self._tasks[name] = asyncio.create_task(self._keep_running(name, component), name=name)

    async def stop_one(self, name: str, grace: float = 5.0) -> None:
        task = self._tasks.pop(name, None)
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def stop_all(self, grace: float = 10.0) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        try:
            async with asyncio.timeout(grace):
                await asyncio.gather(*tasks, return_exceptions=True)
        except TimeoutError:
            log.warning("some components did not stop within %.0fs", grace)


class ManagedConnection:
    def __init__(self, connect: Callable[[], Awaitable[object]]) -> None:
        self._connect = connect
        self.conn = None

    async def run_session(self, work: Callable[[object], Awaitable[None]]) -> None:
        self.conn = await self._connect()
        try:
            await work(self.conn)
        except BaseException:
            try:
                await self.conn.rollback()
            except BaseException:
                log.exception("rollback failed while handling an error")
            raise
        else:
            await self.conn.commit()
        finally:
            await self.conn.close()
            self.conn = None
