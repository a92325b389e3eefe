"""Post a prepared thread (toots with images) to Mastodon.

    python mastodon_thread_scheduler.py thread.yaml

Each toot replies to the previous one; images are uploaded first and the
server processes them asynchronously, so we wait until they are ready.
"""
import asyncio
import logging
import os
import sys
from pathlib import Path

import aiohttp
import yaml

log = logging.getLogger("thread-poster")

INSTANCE = os.environ.get("MASTODON_URL", "https://mastodon.social")
HEADERS = {"Authorization": f"Bearer {os.environ.get('MASTODON_TOKEN', '')}"}
PAUSE_BETWEEN_TOOTS = 3.0


def load_thread(path: str) -> list[dict]:
    spec = yaml.safe_load(Path(path).read_text())
    base = Path(path).parent
    for toot in spec["toots"]:
        toot["images"] = [(name, (base / name).read_bytes()) for name in toot.get("images", [])]
    return spec["toots"]


async def request_json(session: aiohttp.ClientSession, method: str, url: str, **kw) -> dict:
    for attempt in range(5):
        async with session.request(method, url, headers=HEADERS, **kw) as resp:
            if resp.status == 429 or resp.status >= 500:
                delay = float(resp.headers.get("Retry-After", 2 ** attempt))
                log.warning("%s %s -> %s, retrying in %.0fs", method, url, resp.status, delay)
            else:
                resp.raise_for_status()
                return await resp.json()
        await asyncio.sleep(delay)
    raise RuntimeError(f"{method} {url} kept failing")


async def upload_media(session: aiohttp.ClientSession, name: str, data: bytes) -> str:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name)
    media = await request_json(session, "POST", f"{INSTANCE}/api/v2/media", data=form)
    async with asyncio.timeout(120):
        while media.get("url") is None:
            await asyncio.sleep(2)
            media = await request_json(session, "GET", f"{INSTANCE}/api/v1/media/{media['id']}")
    return media["id"]


async def post_thread(toots: list[dict]) -> list[str]:
    urls: list[str] = []
    reply_to = None
    async with aiohttp.ClientSession() as session:
        for toot in toots:
            media_ids = await asyncio.gather(*(upload_media(session, n, d) for n, d in toot["images"][:4]))
            payload = [("status", toot["text"]), ("visibility", "public")]
            payload += [("media_ids[]", media_id) for media_id in media_ids]
            if reply_to:
                payload.append(("in_reply_to_id", reply_to))
            status = await request_json(session, "POST", f"{INSTANCE}/api/v1/statuses", data=payload)
            reply_to = status["id"]
            urls.append(status["url"])
            await asyncio.sleep(PAUSE_BETWEEN_TOOTS)
    return urls


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    thread = load_thread(sys.argv[1])
    for url in asyncio.run(post_thread(thread)):
        print(url)
