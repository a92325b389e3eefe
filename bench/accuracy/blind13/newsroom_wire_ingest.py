"""Wire ingest for the Valley Courier newsroom.

Polls the agencies' feeds every two minutes, fetches the full text of new
stories and files them as drafts on the CMS "wires" desk. `backfill DATE`
re-imports the national agency's archive after an outage.
"""
import asyncio
import hashlib
import logging
import os
import sys
from datetime import datetime

import feedparser
import httpx
import redis.asyncio as redis

log = logging.getLogger("wires")
NATIONAL_FEED = "https://wire.nationalpress.example/feeds/all.atom"
REGIONAL_FEED = "https://regional-agency.example/rss/valley.xml"
AGENCY_API = "https://api.nationalpress.example/v1"
CMS = "https://cms.valleycourier.example/api"
SEEN_KEY = "wires:seen"


def key(item: dict) -> str:
    return hashlib.sha1(f"{item['agency']}:{item['id']}".encode()).hexdigest()


class Ingest:
    def __init__(self, http: httpx.AsyncClient, cache: redis.Redis) -> None:
        self.http = http
        self.cache = cache
        self.limit = asyncio.Semaphore(6)
        self.agency_auth = {"X-Api-Key": os.environ["NATIONAL_PRESS_KEY"]}
        self.cms_auth = {"Authorization": f"Bearer {os.environ['CMS_TOKEN']}"}

    async def fetch_national(self) -> list[dict]:
        resp = await self.http.get(NATIONAL_FEED, headers=self.agency_auth)
        resp.raise_for_status()
        parsed = await asyncio.to_thread(feedparser.parse, resp.text)
        return [{"id": e.id, "title": e.title, "link": e.link, "agency": "national"} for e in parsed.entries]

    async def fetch_regional(self) -> list[dict]:
        parsed = feedparser.parse(REGIONAL_FEED)  # bug: ADC101
        return [
            {"id": e.get("id", e.link), "title": e.title, "link": e.link, "agency": "regional",
             "body": e.get("summary", "")}
            for e in parsed.entries
        ]

    async def full_text(self, item: dict) -> str:
        if item["agency"] != "national":
            return item.get("body", "")
        resp = await self.http.get(f"{AGENCY_API}/stories", params={"uri": item["link"]}, headers=self.agency_auth)
        resp.raise_for_status()
        return resp.json()["body_html"]

    async def post_draft(self, item: dict, body: str) -> None:
        draft = {"headline": item["title"], "body_html": body, "source": item["agency"], "source_url": item["link"]}
        resp = await self.http.post(f"{CMS}/desks/wires/drafts", json=draft, headers=self.cms_auth)
        resp.raise_for_status()
        await self.cache.sadd(SEEN_KEY, key(item))

    async def file_draft(self, item: dict) -> None:
        async with self.limit:
            await self.post_draft(item, await self.full_text(item))

    async def poll_once(self) -> int:
        national, regional = await asyncio.gather(self.fetch_national(), self.fetch_regional())
        items = national + regional
        if not items:
            return 0
        seen = await self.cache.smismember(SEEN_KEY, [key(i) for i in items])
        fresh = [item for item, was_seen in zip(items, seen) if not was_seen]
        await asyncio.gather(*(self.file_draft(item) for item in fresh))
        return len(fresh)

    async def backfill(self, since: datetime) -> int:
        items, page = [], None
        while True:
            params = {"since": since.isoformat(), "page_size": 200, **({"page_token": page} if page else {})}
            resp = await self.http.get(f"{AGENCY_API}/stories/archive", params=params, headers=self.agency_auth)
            resp.raise_for_status()
            data = resp.json()
            items += [
                {"id": s["uri"], "title": s["headline"], "link": s["uri"], "agency": "national", "body": s["body_html"]}
                for s in data["stories"]
            ]
            page = data.get("next_page_token")
            if not page:
                break
        await asyncio.gather(*(self.post_draft(item, item["body"]) for item in items))  # bug: ADC502
        return len(items)


async def main(argv: list[str]) -> None:
    cache = redis.from_url(os.environ.get("REDIS_URL", "redis://localhost/3"))
    try:
        async with httpx.AsyncClient(timeout=20) as http:
            ingest = Ingest(http, cache)
            if argv[1:2] == ["backfill"]:
                n = await ingest.backfill(datetime.fromisoformat(argv[2]))
                log.info("backfilled %d stories", n)
                return
            while True:
                try:
                    log.info("%d new wire stories", await ingest.poll_once())
                except httpx.HTTPError:
                    log.exception("wire poll failed")
                await asyncio.sleep(120)
    finally:
        await cache.aclose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(sys.argv))
