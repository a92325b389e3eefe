"""Paginated API export through an async generator with a (synchronous) rate limiter."""
import asyncio
import time

PAGES = [[f"rec-{p}-{i}" for i in range(3)] for p in range(5)]


class RateLimiter:
    def __init__(self, burst: int):
        self.burst = burst
        self.used = 0

    def acquire(self):
        self.used += 1
        if self.used > self.burst:
            self.used = 0
            time.sleep(0.102)  # EXPECT: blocking-call 102ms


async def fetch_page(number: int) -> list[str]:
    await asyncio.sleep(0.005)
    return PAGES[number] if number < len(PAGES) else []


async def iter_records(limiter: RateLimiter):
    page = 0
    while True:
        limiter.acquire()
        records = await fetch_page(page)
        if not records:
            return
        for record in records:
            yield record
        page += 1


async def main():
    limiter = RateLimiter(burst=4)
    exported = []
    async for record in iter_records(limiter):
        exported.append(record)
    print("exported", len(exported), "records")
    print("first", exported[0], "last", exported[-1])


if __name__ == "__main__":
    asyncio.run(main())
