from __future__ import annotations

import asyncio
import logging
from urllib.parse import urljoin

import aiohttp

from .fetch import USER_AGENT, fetch_page, fetch_sitemap
from .parse import extract_links, robots_sitemaps, sitemap_locations

log = logging.getLogger("sitecrawl")

MAX_SITEMAPS = 20


async def discover(session: aiohttp.ClientSession, root: str) -> set[str]:
    async with session.get(urljoin(root, "/robots.txt")) as resp:
        robots = await resp.text() if resp.status == 200 else ""
    sitemap_urls = robots_sitemaps(robots) or [urljoin(root, "/sitemap.xml")]
    bodies = await asyncio.gather(*(fetch_sitemap(u) for u in sitemap_urls[:MAX_SITEMAPS]))
    found: set[str] = {root}
    for body in bodies:
        found.update(sitemap_locations(body))
    return found


async def crawl_site(root: str, max_pages: int = 500) -> dict[str, int]:
    seen: set[str] = set()
    sizes: dict[str, int] = {}
    async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as session:
        frontier = await discover(session, root)
        while frontier and len(seen) < max_pages:
            batch = list(frontier)[: max_pages - len(seen)]
            seen.update(batch)
            pages = await asyncio.gather(*(fetch_page(session, url) for url in batch))
            frontier = set()
            for url, html in pages:
                if html is None:
                    continue
                sizes[url] = len(html)
                frontier |= extract_links(url, html) - seen
    log.info("%s: %d pages", root, len(sizes))
    return sizes
