from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Iterable

import aiohttp
import feedparser

log = logging.getLogger("news")


@dataclass
class Article:
    feed: str
    title: str
    link: str
    published: str | None


async def fetch_feed(session: aiohttp.ClientSession, sem: asyncio.Semaphore, url: str) -> list[Article]:
    async with sem:
        try:
            async with session.get(url) as resp:
                if resp.status != 200:
                    log.info("%s answered %s", url, resp.status)
                    return []
                body = await resp.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.info("%s failed: %s", url, exc)
            return []
    parsed = await asyncio.to_thread(feedparser.parse, body)
    return [Article(url, e.get("title", ""), e.get("link", ""), e.get("published")) for e in parsed.entries]


async def crawl_feeds(urls: Iterable[str], concurrency: int = 16) -> list[Article]:
    sem = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": "newsbot/2.0"}) as session:
        tasks = [asyncio.create_task(fetch_feed(session, sem, u)) for u in urls]
        results = await asyncio.gather(*tasks)
    return [a for feed in results for a in feed]


async def archive_pages(session: aiohttp.ClientSession, api: str, source: str) -> list[dict]:
    items: list[dict] = []
    cursor: str | None = None
    while True:
        params = {"source": source, "limit": "200"}
        if cursor:
            params["cursor"] = cursor
        async with session.get(f"{api}/archive", params=params) as resp:
            resp.raise_for_status()
            page = await resp.json()
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def polite_fetch(session: aiohttp.ClientSession, urls: list[str], delay: float = 1.0) -> list[bytes]:
    """One host that asks for one request per second (robots.txt crawl-delay)."""
    bodies = []
    for url in urls:
        async with session.get(url) as resp:
            bodies.append(await resp.read())
        await asyncio.sleep(delay)
    return bodies
