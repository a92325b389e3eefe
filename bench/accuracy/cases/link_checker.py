import asyncio
import logging
import re

import aiohttp
import httpx

log = logging.getLogger(__name__)
LINK_RE = re.compile(r'href="(https?://[^"]+)"')


async def page_links(url: str) -> list[str]:
    async with aiohttp.ClientSession().get(url) as resp:  # bug: ADC401
        html = await resp.text()
    return LINK_RE.findall(html)


async def is_alive(url: str) -> bool:
    try:
        resp = await httpx.AsyncClient(follow_redirects=True).head(url, timeout=5)  # bug: ADC401, ADC402
    except httpx.HTTPError:
        return False
    return resp.status_code < 400


async def check_page(url: str, limit: int = 10) -> dict[str, bool]:
    links = await page_links(url)
    sem = asyncio.Semaphore(limit)

    async def guarded(link: str) -> bool:
        async with sem:
            return await is_alive(link)

    results = await asyncio.gather(*(guarded(link) for link in links))
    return dict(zip(links, results))
