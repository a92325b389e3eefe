"""A price service on uvloop whose cache is warmed by a background thread at start-up."""
import asyncio
import threading
import time

import uvloop

CATALOGUE = {"apple": 0.5, "bread": 2.25, "cheese": 7.8, "dates": 4.1}


class CacheWarmer(threading.Thread):
    def __init__(self):
        super().__init__(name="cache-warmer")
        self.ready = threading.Event()
        self.cache = {}

    def run(self):
        time.sleep(0.4)  # reads the price files from disk
        self.cache.update(CATALOGUE)
        self.ready.set()


async def from_origin(item):
    await asyncio.sleep(0.01)
    return CATALOGUE[item]


async def price(item, warmer, stats):
    if warmer.ready.is_set():
        stats["cache"] += 1
        return warmer.cache[item]
    stats["origin"] += 1
    return await from_origin(item)


async def main():
    warmer = CacheWarmer()
    warmer.start()
    try:
        if not warmer.ready.wait(timeout=0.125):  # EXPECT: blocking-call 125ms
            print("cache still cold, serving from origin")
        stats = {"cache": 0, "origin": 0}
        basket = ["apple", "bread", "cheese", "apple"]
        prices = await asyncio.gather(*(price(item, warmer, stats) for item in basket))
        print("basket total:", round(sum(prices), 2), stats)
    finally:
        await asyncio.to_thread(warmer.join)
    prices = [await price(item, warmer, stats) for item in ("dates", "bread")]
    print("after warm-up:", prices, stats)


if __name__ == "__main__":
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())
