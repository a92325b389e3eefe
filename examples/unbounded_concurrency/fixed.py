"""The same downloads, at most twenty at a time (clean).

An ``asyncio.Semaphore`` lets twenty downloads through and makes the rest
wait for a free slot; ``gather`` still collects every result in order.
Choose the limit for the server you talk to (``asyncdoctor tune`` will
measure it).  Run it: the peak is twenty, whatever the number of URLs.
"""

import asyncio

IN_FLIGHT = 0
PEAK = 0


async def download(url: str) -> int:
    global IN_FLIGHT, PEAK
    IN_FLIGHT += 1
    PEAK = max(PEAK, IN_FLIGHT)
    try:
        await asyncio.sleep(0.05)  # stands in for an HTTP download
        return len(url)
    finally:
        IN_FLIGHT -= 1


async def download_all(urls: list[str], limit: int = 20) -> list[int]:
    semaphore = asyncio.Semaphore(limit)

    async def bounded(url: str) -> int:
        async with semaphore:
            return await download(url)

    return await asyncio.gather(*[bounded(url) for url in urls])


async def main() -> None:
    urls = [f"https://cdn.example.com/file/{i}" for i in range(1000)]
    sizes = await download_all(urls)
    print(f"{len(sizes)} files, {PEAK} downloads in flight at the peak")


if __name__ == "__main__":
    asyncio.run(main())
