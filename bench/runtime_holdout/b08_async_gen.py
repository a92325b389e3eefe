import asyncio
import time


async def fetch_pages(n):
    for page in range(n):
        await asyncio.sleep(0)
        if page == 2:
            time.sleep(0.3)  # EXPECT: blocking-call
        yield [page * 10 + i for i in range(3)]


async def main():
    total = 0
    async for rows in fetch_pages(4):
        total += sum(rows)
    print("total", total)


asyncio.run(main())
