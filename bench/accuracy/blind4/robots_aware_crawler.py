"""Small breadth-first crawler that honours robots.txt."""
import asyncio
import logging
from urllib.parse import urljoin, urlparse
from urllib.robotparser import RobotFileParser

import aiohttp
from selectolax.parser import HTMLParser

log = logging.getLogger("crawler")
USER_AGENT = "examplebot/1.3 (+https://example.org/bot)"


class Crawler:
    def __init__(self, root: str, max_pages: int = 500):
        self.root = root
        self.max_pages = max_pages
        self.seen: set[str] = set()
        self.robots: dict[str, RobotFileParser] = {}

    async def allowed(self, url: str) -> bool:
        host = urlparse(url).netloc
        rp = self.robots.get(host)
        if rp is None:
            rp = RobotFileParser(f"https://{host}/robots.txt")
            rp.read()  # bug: ADC101
            self.robots[host] = rp
        return rp.can_fetch(USER_AGENT, url)

    async def fetch(self, url: str) -> str | None:
        async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as session:  # bug: ADC402
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=20)) as resp:
                if resp.status != 200 or "html" not in resp.headers.get("content-type", ""):
                    return None
                return await resp.text()

    def links(self, base: str, html: str) -> list[str]:
        out = []
        for node in HTMLParser(html).css("a[href]"):
            href = urljoin(base, node.attributes["href"]).split("#")[0]
            if urlparse(href).netloc == urlparse(self.root).netloc:
                out.append(href)
        return out

    async def visit(self, url: str) -> list[str]:
        if url in self.seen or len(self.seen) >= self.max_pages:
            return []
        self.seen.add(url)
        if not await self.allowed(url):
            return []
        html = await self.fetch(url)
        return self.links(url, html) if html else []

    async def crawl(self) -> set[str]:
        frontier = [self.root]
        while frontier:
            batches = await asyncio.gather(*(self.visit(u) for u in frontier))  # bug: ADC502
            frontier = [link for batch in batches for link in batch if link not in self.seen]
            log.info("depth done, %d seen, %d queued", len(self.seen), len(frontier))
        return self.seen


if __name__ == "__main__":
    import sys

    pages = asyncio.run(Crawler(sys.argv[1]).crawl())
    print("\n".join(sorted(pages)))
