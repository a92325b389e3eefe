import asyncio
import logging
from dataclasses import dataclass

import aiohttp
import feedparser

log = logging.getLogger(__name__)

FEEDS = [
    "https://news.example.com/rss",
    "https://blog.example.org/feed.xml",
    "https://tech.example.net/atom.xml",
    "https://science.example.edu/rss",
]


@dataclass
class Entry:
    feed: str
    title: str
    link: str


async def fetch_feed(session: aiohttp.ClientSession, url: str) -> list[Entry]:
    async with session.get(url) as resp:
        resp.raise_for_status()
        text = await resp.text()
    parsed = feedparser.parse(text)
    return [Entry(url, e.title, e.link) for e in parsed.entries]


async def aggregate(feeds=FEEDS) -> list[Entry]:
    entries: list[Entry] = []
    async with aiohttp.ClientSession() as session:
        for url in feeds:
            try:
                entries.extend(await fetch_feed(session, url))  # bug: ADC501
            except aiohttp.ClientError as exc:
                log.warning("skipping %s: %s", url, exc)
    return sorted(entries, key=lambda e: e.title)


if __name__ == "__main__":
    for entry in asyncio.run(aggregate()):
        print(f"{entry.title} — {entry.link}")
