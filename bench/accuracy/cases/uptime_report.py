import asyncio
import logging
import time

import httpx

log = logging.getLogger(__name__)


async def ping(client: httpx.AsyncClient, url: str) -> float | None:
    started = time.perf_counter()
    try:
        resp = await client.get(url, timeout=5)
    except httpx.HTTPError:
        return None
    if resp.status_code >= 500:
        return None
    return time.perf_counter() - started


async def report(urls: list[str]) -> dict[str, str]:
    out = {}
    async with httpx.AsyncClient() as client:
        for url in urls:
            latency = await ping(client, url)  # bug: ADC501
            out[url] = "DOWN" if latency is None else f"{latency * 1000:.0f} ms"
    return out


async def report_parallel(urls: list[str]) -> dict[str, float | None]:
    async with httpx.AsyncClient() as client:
        latencies = await asyncio.gather(*[ping(client, u) for u in urls])  # bug: ADC502
    return dict(zip(urls, latencies))


async def ping_until_up(client: httpx.AsyncClient, url: str, attempts: int = 10) -> bool:
    for _ in range(attempts):
        if await ping(client, url) is not None:
            return True
        await asyncio.sleep(3)
    return False
