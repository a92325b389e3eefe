"""Podcast catcher: refresh subscribed RSS feeds and download new episodes."""
import asyncio
import logging
import pathlib

import aiofiles
import aiohttp
import feedparser

log = logging.getLogger("podcasts")
MAX_DOWNLOADS = 3


async def fetch_feed(session: aiohttp.ClientSession, sub: dict) -> bytes | None:
    headers = {"If-None-Match": sub["etag"]} if sub.get("etag") else {}
    async with session.get(sub["url"], headers=headers) as resp:
        if resp.status == 304:
            return None
        resp.raise_for_status()
        sub["etag"] = resp.headers.get("ETag")
        return await resp.read()


async def download(session, sem, url: str, dest: pathlib.Path) -> None:
    async with sem:
        async with session.get(url) as resp:
            resp.raise_for_status()
            async with aiofiles.open(dest, "wb") as out:
                async for chunk in resp.content.iter_chunked(1 << 16):
                    await out.write(chunk)
    log.info("saved %s", dest.name)


async def refresh(db, library: pathlib.Path) -> int:
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600))  # bug: ADC401
    subs = await db.subscriptions()
    seen = await db.seen_episode_ids()
    new_episodes = []
    for sub in subs:
        body = await fetch_feed(session, sub)  # bug: ADC501
        if body is None:
            continue
        parsed = await asyncio.to_thread(feedparser.parse, body)
        for entry in parsed.entries:
            if entry.get("enclosures") and (sub["id"], entry.id) not in seen:
                new_episodes.append((sub, entry))
    sem = asyncio.Semaphore(MAX_DOWNLOADS)
    async with asyncio.TaskGroup() as tg:
        for sub, entry in new_episodes:
            dest = library / sub["slug"] / f"{entry.id.replace('/', '_')}.mp3"
            tg.create_task(download(session, sem, entry.enclosures[0].href, dest))
    await db.mark_seen([(sub["id"], entry.id) for sub, entry in new_episodes])
    await db.save_etags({sub["id"]: sub.get("etag") for sub in subs})
    return len(new_episodes)


async def main(db, library: pathlib.Path, every: float = 3600) -> None:
    while True:
        count = await refresh(db, library)
        log.info("%d new episodes", count)
        await asyncio.sleep(every)
