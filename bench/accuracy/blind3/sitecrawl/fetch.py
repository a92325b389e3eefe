from __future__ import annotations

import asyncio
import logging

import aiohttp

log = logging.getLogger("sitecrawl.fetch")

USER_AGENT = "sitecrawl/0.9 (+https://example.org/bot)"
TIMEOUT = aiohttp.ClientTimeout(total=20)


async def fetch_page(
    session: aiohttp.ClientSession, url: str, *, concurrency: int = 8
) -> tuple[str, str | None]:
    gate = asyncio.Semaphore(concurrency)  # bug: ADC504
    async with gate:
        try:
            async with session.get(url, timeout=TIMEOUT) as resp:
                if resp.status != 200 or "html" not in resp.headers.get("content-type", ""):
                    return url, None
                return url, await resp.text(errors="replace")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.debug("fetch %s failed: %s", url, exc)
            return url, None


async def fetch_sitemap(url: str) -> str:
    async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as session:  # bug: ADC402
        async with session.get(url, timeout=TIMEOUT) as resp:
            if resp.status != 200:
                return ""
            return await resp.text()
