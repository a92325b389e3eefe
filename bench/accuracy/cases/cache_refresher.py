import asyncio
import logging

from app.catalog import fetch_catalog

log = logging.getLogger(__name__)


class CatalogCache:
    def __init__(self, ttl: float = 300.0) -> None:
        self.ttl = ttl
        self.data: dict = {}
        self._task: asyncio.Task | None = None

    async def refresh(self) -> None:
        try:
            self.data = await fetch_catalog()
        except BaseException as exc:  # bug: ADC601
            log.error("catalog refresh failed: %r", exc)

    async def _loop(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(self.ttl)

    async def wait_loaded(self) -> dict:
        while not self.data:  # bug: ADC503
            await asyncio.sleep(0.1)
        return self.data

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
