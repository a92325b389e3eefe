"""Bridge a handful of RSS/Atom feeds to a Mastodon account.

Runs as a long-lived service under systemd: every ten minutes it reads the
configured feeds, posts the new entries oldest-first and pings a healthcheck.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time

import aiohttp
import feedparser
from requests import post as http_post

log = logging.getLogger("rss2masto")

INSTANCE = os.environ.get("MASTODON_URL", "https://fosstodon.org")
TOKEN = os.environ["MASTODON_TOKEN"]
HEALTHCHECK_URL = os.environ.get("HEALTHCHECK_URL", "")
FEEDS = [u.strip() for u in os.environ.get("FEEDS", "").split(",") if u.strip()]
STATE_FILE = os.environ.get("STATE_FILE", "/var/lib/rss2masto/seen.txt")
POST_INTERVAL = 5.0  # the instance allows 300 statuses per 3 hours


def entry_key(entry) -> str:
    return entry.get("id") or entry["link"]


def load_seen(path: str) -> set[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            return set(fh.read().split())
    except FileNotFoundError:
        return set()


def save_seen(path: str, seen: set[str]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(sorted(seen)))


class Bridge:
    def __init__(self, session: aiohttp.ClientSession, seen: set[str]) -> None:
        self.session = session
        self.seen = seen

    async def fetch_feed(self, url: str) -> list:
        timeout = aiohttp.ClientTimeout(total=20)
        async with self.session.get(url, timeout=timeout) as resp:
            resp.raise_for_status()
            body = await resp.read()
        parsed = feedparser.parse(body)
        return [e for e in parsed.entries if entry_key(e) not in self.seen]

    async def post_status(self, entry) -> None:
        text = f"{entry.get('title', '').strip()}\n\n{entry['link']}"
        headers = {
            "Authorization": f"Bearer {TOKEN}",
            "Idempotency-Key": entry_key(entry),
        }
        url = f"{INSTANCE}/api/v1/statuses"
        async with self.session.post(url, data={"status": text}, headers=headers) as resp:
            resp.raise_for_status()
        self.seen.add(entry_key(entry))

    async def run_once(self) -> int:
        fresh = []
        for url in FEEDS:
            fresh.extend(await self.fetch_feed(url))  # bug: ADC501
        fresh.sort(key=lambda e: e.get("published_parsed") or time.gmtime(0))
        for entry in fresh:
            await self.post_status(entry)
            await asyncio.sleep(POST_INTERVAL)
        if fresh:
            await asyncio.to_thread(save_seen, STATE_FILE, set(self.seen))
        return len(fresh)

    async def run_forever(self) -> None:
        while True:
            try:
                posted = await self.run_once()
            except aiohttp.ClientError:
                log.exception("feed round failed")
                posted = -1
            if HEALTHCHECK_URL:
                http_post(HEALTHCHECK_URL, json={"posted": posted}, timeout=5)  # bug: ADC101
            await asyncio.sleep(600)


async def main(seen: set[str]) -> None:
    headers = {"User-Agent": "rss2masto/1.4 (+https://example.org/bot)"}
    async with aiohttp.ClientSession(headers=headers) as session:
        await Bridge(session, seen).run_forever()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(load_seen(STATE_FILE)))
