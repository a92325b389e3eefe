"""Starting every request at once (ADC502 unbounded-concurrency).

``download_all`` gathers one coroutine per URL, however many there are.
With a thousand URLs that is a thousand simultaneous connections: the
server rate-limits or bans you, the client runs out of file descriptors or
ports, and memory grows with the list.  Nothing bounds it.  Run it: the peak
number of downloads in flight is the length of the list.
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


async def download_all(urls: list[str]) -> list[int]:
    return await asyncio.gather(*[download(url) for url in urls])  # ADC502


async def main() -> None:
    urls = [f"https://cdn.example.com/file/{i}" for i in range(1000)]
    sizes = await download_all(urls)
    print(f"{len(sizes)} files, {PEAK} downloads in flight at the peak")


if __name__ == "__main__":
    asyncio.run(main())
