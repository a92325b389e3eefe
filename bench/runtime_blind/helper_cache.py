"""A config cache that refreshes itself in the background (p02)."""
import asyncio


class ConfigSource:
    def __init__(self):
        self.version = 0

    async def fetch(self) -> dict:
        await asyncio.sleep(0.005)
        self.version += 1
        return {"version": self.version, "feature_x": self.version % 2 == 1}


class RefreshingCache:
    def __init__(self, source: ConfigSource, every: float):
        self.source = source
        self.every = every
        self.value: dict = {}
        self._task: asyncio.Task | None = None

    async def start(self):
        self.value = await self.source.fetch()
        self._task = asyncio.create_task(self._refresh_forever())  # EXPECT: pending-task

    async def _refresh_forever(self):
        while True:
            await asyncio.sleep(self.every)
            self.value = await self.source.fetch()

    async def stop(self):
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
