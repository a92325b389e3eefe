"""Polling a flag with sleep (ADC503 busy-wait).

``Cache.get`` checks ``self.ready`` every 0.1s until ``load`` sets it.  The
waiting task wakes up again and again for nothing, and it notices the flag
up to a whole interval late: a shorter interval burns more CPU, a longer one
adds more latency.  Run it: the cache is ready at 0.25s, the reader sees it
at 0.3s, after waking up three times to look.
"""

import asyncio
import time


class Cache:
    def __init__(self) -> None:
        self.ready = False
        self.data: dict[str, str] = {}
        self.polls = 0

    async def load(self) -> None:
        await asyncio.sleep(0.25)  # stands in for loading from a database
        self.data = {"greeting": "hello"}
        self.ready = True

    async def get(self, key: str) -> str:
        while not self.ready:
            self.polls += 1
            await asyncio.sleep(0.1)  # ADC503: polling
        return self.data[key]


async def main() -> None:
    cache = Cache()
    start = time.perf_counter()
    async with asyncio.TaskGroup() as tg:
        tg.create_task(cache.load())
        value = tg.create_task(cache.get("greeting"))
    elapsed = time.perf_counter() - start
    print(f"{value.result()!r} after {elapsed:.2f}s, {cache.polls} wake-ups to check")


if __name__ == "__main__":
    asyncio.run(main())
