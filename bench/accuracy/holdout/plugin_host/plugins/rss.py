import asyncio
import contextlib

import aiohttp
import feedparser


class RssPlugin:
    name = "rss"

    def __init__(self, feeds: list[str], interval: float = 300.0) -> None:
        self.feeds = list(feeds)
        self.interval = interval
        self._seen: set[str] = set()
        self._next = 0
        self._task: asyncio.Task | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self, host) -> None:
        self._host = host
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    async def refresh(self) -> None:
        if not self.feeds:
            return
        feed = self.feeds[self._next % len(self.feeds)]
        self._next += 1
        async with self._session.get(feed) as r:
            body = await r.text()
        for entry in feedparser.parse(body).entries:
            if entry.id not in self._seen:
                self._seen.add(entry.id)
                await self._host.bus.put({"source": self.name, "title": entry.title, "link": entry.link})

    def on_config_changed(self, feeds: list[str]) -> None:
        self.feeds = list(feeds)
        self._next = 0
        self.refresh()  # bug: ADC201

    async def _loop(self) -> None:
        while True:
            try:
                await self.refresh()
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(self.interval / max(1, len(self.feeds)))
