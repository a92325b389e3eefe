import asyncio
import re

LOG = ("GET /api/items?id=12345 200 3ms\n" * 400_000)


async def count_slow_requests():
    await asyncio.sleep(0)
    hits = re.findall(r"(\w+) (\S+) (\d{3}) (\d+)ms", LOG)  # EXPECT: blocking-call
    return len(hits)


async def main():
    print("requests:", await count_slow_requests())


asyncio.run(main())
