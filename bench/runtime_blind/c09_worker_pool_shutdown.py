"""Crawler-style worker pool with timeouts and a clean, cancellation-aware shutdown."""
import asyncio

PAGES = {"/": ["/a", "/b"], "/a": ["/c"], "/b": ["/c", "/slow"], "/c": [], "/slow": []}


async def fetch(url: str) -> list[str]:
    await asyncio.sleep(0.3 if url == "/slow" else 0.005)
    return PAGES[url]


async def worker(name: str, queue: asyncio.Queue, seen: set[str], log: list[str]):
    try:
        while True:
            url = await queue.get()
            try:
                links = await asyncio.wait_for(fetch(url), timeout=0.05)
                log.append(f"ok {url}")
                for link in links:
                    if link not in seen:
                        seen.add(link)
                        queue.put_nowait(link)
            except TimeoutError:
                log.append(f"timeout {url}")
            finally:
                queue.task_done()
    except asyncio.CancelledError:
        log.append(f"{name} stopped")
        raise


async def crawl(start: str, workers: int) -> list[str]:
    queue: asyncio.Queue = asyncio.Queue()
    seen = {start}
    log: list[str] = []
    queue.put_nowait(start)
    tasks = [asyncio.create_task(worker(f"w{i}", queue, seen, log)) for i in range(workers)]
    await queue.join()
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    return log


async def main():
    log = await crawl("/", workers=3)
    for line in sorted(log):
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
