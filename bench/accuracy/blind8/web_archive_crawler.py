"""Archive a municipal website into xz-compressed WARC segments.

Usage: python web_archive_crawler.py https://www.town.example out/
The site's sitemap lists every page (about 60,000 for the town archive).
Fetchers feed a queue; one writer packs 256 MB segments while they run.
"""
from __future__ import annotations

import asyncio
import io
import lzma
import re
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin

import aiohttp
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SEGMENT_BYTES = 256 * 1024 * 1024
ASSET_CONCURRENCY = 8
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ASSET_REF = re.compile(rb'(?:src|href)="([^"]+\.(?:css|js|png|jpe?g|gif|svg|woff2?|pdf))"')


def warc_record(url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    http_headers = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                  http_headers=http_headers))
    return buf.getvalue()


async def sitemap_urls(session: aiohttp.ClientSession, root: str) -> list[str]:
    async with session.get(f"{root}/sitemap.xml") as resp:
        tree = await asyncio.to_thread(ET.fromstring, await resp.read())
    return [loc.text.strip() for loc in tree.iterfind("sm:url/sm:loc", NS)]


async def fetch_into(session: aiohttp.ClientSession, url: str, queue: asyncio.Queue) -> set[str]:
    async with session.get(url, allow_redirects=False) as resp:
        body = await resp.read()
        await queue.put(warc_record(url, resp.status, list(resp.headers.items()), body))
        if resp.content_type != "text/html":
            return set()
    return {urljoin(url, m.decode()) for m in ASSET_REF.findall(body)}


async def fetch_asset(session, url: str, queue: asyncio.Queue, sem: asyncio.Semaphore) -> None:
    async with sem:
        await fetch_into(session, url, queue)


async def segment_writer(queue: asyncio.Queue, out_dir: Path) -> int:
    buf: list[bytes] = []
    size = seg = 0
    while True:
        rec = await queue.get()
        if rec is not None:
            buf.append(rec)
            size += len(rec)
        if buf and (size >= SEGMENT_BYTES or rec is None):
            packed = lzma.compress(b"".join(buf), preset=6)  # bug: ADC101
            await asyncio.to_thread((out_dir / f"crawl-{seg:05d}.warc.xz").write_bytes, packed)
            seg, size = seg + 1, 0
            buf.clear()
        if rec is None:
            return seg


async def crawl(root: str, out_dir: Path) -> int:
    queue: asyncio.Queue = asyncio.Queue(maxsize=500)
    writer = asyncio.create_task(segment_writer(queue, out_dir))
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": "TownArchiveBot/1.2"}) as session:
        urls = await sitemap_urls(session, root)
        found = await asyncio.gather(*(fetch_into(session, u, queue) for u in urls))  # bug: ADC502
        assets = sorted({a for refs in found for a in refs if a.startswith(root)} - set(urls))
        sem = asyncio.Semaphore(ASSET_CONCURRENCY)
        await asyncio.gather(*(fetch_asset(session, a, queue, sem) for a in assets))
    await queue.put(None)
    return await writer


if __name__ == "__main__":
    site, out = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    segments = asyncio.run(crawl(site, out))
    print(f"{segments} segments in {datetime.now(timezone.utc) - started}")
