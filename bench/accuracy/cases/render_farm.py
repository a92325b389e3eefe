import asyncio
import logging

log = logging.getLogger(__name__)


class RenderFarm:
    """Tracks render workers; jobs wait until a worker reports in."""

    def __init__(self) -> None:
        self._workers: set[str] = set()
        self._changed = asyncio.Condition()
        self._shutdown = asyncio.Event()

    async def register(self, worker: str) -> None:
        async with self._changed:
            self._workers.add(worker)
            self._changed.notify_all()

    async def unregister(self, worker: str) -> None:
        async with self._changed:
            self._workers.discard(worker)
            self._changed.notify_all()

    async def wait_for_capacity(self, needed: int, timeout: float = 30.0) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self._workers) >= needed), timeout
            )

    def request_shutdown(self) -> None:
        self._shutdown.set()

    async def run(self, interval: float = 10.0) -> None:
        """Logs farm status until shut down."""
        while not self._shutdown.is_set():
            log.info("%d workers online", len(self._workers))
            try:
                await asyncio.wait_for(self._shutdown.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass


async def wait_until_healthy(client, url: str, attempts: int = 30) -> bool:
    """The render API lives in another process: polling its health endpoint is the way."""
    for _ in range(attempts):
        resp = await client.get(url)
        if resp.status_code == 200:
            return True
        await asyncio.sleep(1)
    return False
