"""Feed the docs site into the search index: read the sitemap index, fetch
every page, push plain text to Meilisearch."""
import asyncio
import logging
import xml.etree.ElementTree as ET

import aiohttp
from selectolax.parser import HTMLParser

log = logging.getLogger("indexer")

SITE = "https://docs.example.com"
MEILI = "http://meili.internal:7700"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


async def get_text(session: aiohttp.ClientSession, url: str, attempts: int = 4) -> str:
    delay = 1.0
    for attempt in range(attempts):
        async with session.get(url) as r:
            if r.status == 429 and attempt < attempts - 1:
                retry_after = float(r.headers.get("Retry-After", delay))
                log.info("429 on %s, sleeping %.1fs", url, retry_after)
                asyncio.sleep(retry_after)  # bug: ADC201
                delay *= 2
                continue
            r.raise_for_status()
            return await r.text()
    raise RuntimeError(f"gave up on {url}")


async def sitemap_urls(session: aiohttp.ClientSession) -> list[str]:
    index = ET.fromstring(await get_text(session, f"{SITE}/sitemap.xml"))
    urls: list[str] = []
    for loc in index.findall("sm:sitemap/sm:loc", NS):
        child = ET.fromstring(await get_text(session, loc.text))  # bug: ADC501
        urls.extend(u.text for u in child.findall("sm:url/sm:loc", NS))
    return urls


async def page_doc(session, sem, url):
    async with sem:
        html = await get_text(session, url)
    tree = HTMLParser(html)
    title = tree.css_first("title")
    body = tree.css_first("main") or tree.body
    return {
        "id": url.removeprefix(SITE).strip("/").replace("/", "-") or "index",
        "url": url,
        "title": title.text() if title else url,
        "text": body.text(separator=" ") if body else "",
    }


async def push_batches(session, docs, size=500):
    # one task queue in Meilisearch: batches go in one at a time
    for i in range(0, len(docs), size):
        async with session.post(f"{MEILI}/indexes/docs/documents", json=docs[i : i + size]) as r:
            r.raise_for_status()
            task = await r.json()
        log.info("batch %d queued as task %s", i // size, task["taskUid"])


async def main():
    sem = asyncio.Semaphore(8)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        urls = await sitemap_urls(session)
        docs = await asyncio.gather(*(page_doc(session, sem, u) for u in urls))
        await push_batches(session, list(docs))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
