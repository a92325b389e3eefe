"""Crawler that respects robots.txt and a per-crawl concurrency limit."""
import asyncio
import logging
from urllib.parse import urljoin, urlparse
from urllib.robotparser import RobotFileParser

import aiohttp

log = logging.getLogger(__name__)
UA = "politebot/2.0"


class PoliteCrawler:
    def __init__(self, session: aiohttp.ClientSession, concurrency: int = 8):
        self.session = session
        self.limit = asyncio.Semaphore(concurrency)
        self._robots: dict[str, RobotFileParser] = {}
        self._robots_lock = asyncio.Lock()

    async def _robots_for(self, url: str) -> RobotFileParser:
        host = urlparse(url).netloc
        async with self._robots_lock:
            if host not in self._robots:
                rp = RobotFileParser()
                async with self.session.get(f"https://{host}/robots.txt") as resp:
                    text = await resp.text() if resp.status == 200 else ""
                rp.parse(text.splitlines())
                self._robots[host] = rp
            return self._robots[host]

    async def fetch(self, url: str) -> str | None:
        rp = await self._robots_for(url)
        if not rp.can_fetch(UA, url):
            return None
        async with self.limit:
            async with self.session.get(url, headers={"User-Agent": UA}) as resp:
                return await resp.text() if resp.ok else None

    async def fetch_many(self, urls: list[str]) -> dict[str, str | None]:
        pages = await asyncio.gather(*(self.fetch(u) for u in urls))
        return dict(zip(urls, pages))

    async def sitemap_pages(self, root: str) -> list[str]:
        urls, page = [], 1
        while True:
            async with self.session.get(urljoin(root, f"/sitemap-{page}.txt")) as resp:
                if resp.status == 404:
                    break
                urls += (await resp.text()).split()
            page += 1
        return urls


async def main(root: str) -> None:
    async with aiohttp.ClientSession() as session:
        crawler = PoliteCrawler(session)
        urls = await crawler.sitemap_pages(root)
        pages = await crawler.fetch_many(urls)
        log.info("fetched %d/%d", sum(p is not None for p in pages.values()), len(urls))


if __name__ == "__main__":
    import sys

    asyncio.run(main(sys.argv[1]))
