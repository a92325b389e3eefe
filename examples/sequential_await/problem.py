"""Independent requests awaited one at a time (ADC501 sequential-await).

Each iteration of the loop in ``crawl`` waits for its page before the next
request even starts, although no request needs the result of another.  Ten
pages that take 0.1s each take a full second; a hundred take ten.  Run it
and compare with ``fixed.py``.

Here ``fetch`` only sleeps, standing in for a request, so nothing proves it
waits for the network: ``asyncdoctor check --preview`` reports this loop.
With a real client (``httpx``, ``aiohttp``...) in ``fetch``, the default run does.
"""

import asyncio
import time


async def fetch(url: str) -> str:
    await asyncio.sleep(0.1)  # stands in for an HTTP request
    return f"<html>{url}</html>"


async def crawl(urls: list[str]) -> list[str]:
    results = []
    for url in urls:
        results.append(await fetch(url))  # ADC501: one request at a time
    return results


async def main() -> None:
    urls = [f"https://example.com/page/{i}" for i in range(10)]
    start = time.perf_counter()
    pages = await crawl(urls)
    print(f"{len(pages)} pages in {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    asyncio.run(main())
