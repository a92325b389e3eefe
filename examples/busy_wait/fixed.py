"""Waiting on an ``asyncio.Event`` instead of polling (clean).

``load`` sets the event when the data is there; ``get`` awaits it and is
woken exactly once, at that moment.  No interval to tune, no wasted
wake-ups, no added latency.  (For "wait until a condition on shared state
holds", ``asyncio.Condition.wait_for`` does the same job.)
"""

import asyncio
import time


class Cache:
    def __init__(self) -> None:
        self.data: dict[str, str] = {}
        self._ready = asyncio.Event()

    async def load(self) -> None:
        await asyncio.sleep(0.25)  # stands in for loading from a database
        self.data = {"greeting": "hello"}
        self._ready.set()

    async def get(self, key: str) -> str:
        await self._ready.wait()
        return self.data[key]


async def main() -> None:
    cache = Cache()
    start = time.perf_counter()
    async with asyncio.TaskGroup() as tg:
        tg.create_task(cache.load())
        value = tg.create_task(cache.get("greeting"))
    print(f"{value.result()!r} after {time.perf_counter() - start:.2f}s, no polling")


if __name__ == "__main__":
    asyncio.run(main())
