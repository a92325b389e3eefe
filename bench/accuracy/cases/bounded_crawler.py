"""A polite crawler: a fixed pool of workers pulls URLs from a queue."""

import asyncio
import logging
from urllib.parse import urljoin, urlparse

import aiohttp
from bs4 import BeautifulSoup

log = logging.getLogger(__name__)


class Crawler:
    def __init__(self, root: str, workers: int = 8, max_pages: int = 1000) -> None:
        self.root = root
        self.domain = urlparse(root).netloc
        self.workers = workers
        self.max_pages = max_pages
        self.seen: set[str] = {root}
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.pages: dict[str, str] = {}

    def _links(self, base: str, html: str) -> list[str]:
        soup = BeautifulSoup(html, "html.parser")
        out = []
        for a in soup.find_all("a", href=True):
            url = urljoin(base, a["href"]).split("#", 1)[0]
            if urlparse(url).netloc == self.domain:
                out.append(url)
        return out

    async def _worker(self, session: aiohttp.ClientSession) -> None:
        while True:
            url = await self.queue.get()
            try:
                async with session.get(url) as resp:
                    if resp.status == 200 and "text/html" in resp.headers.get("content-type", ""):
                        html = await resp.text()
                        self.pages[url] = html
                        for link in self._links(url, html):
                            if link not in self.seen and len(self.seen) < self.max_pages:
                                self.seen.add(link)
                                self.queue.put_nowait(link)
            except aiohttp.ClientError as exc:
                log.debug("failed %s: %s", url, exc)
            finally:
                self.queue.task_done()

    async def crawl(self) -> dict[str, str]:
        self.queue.put_nowait(self.root)
        async with aiohttp.ClientSession() as session:
            workers = [asyncio.create_task(self._worker(session)) for _ in range(self.workers)]
            await self.queue.join()
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return self.pages
