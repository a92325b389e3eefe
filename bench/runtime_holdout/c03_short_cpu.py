import asyncio
import time


def burst():
    end = time.perf_counter() + 0.03
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n > 0


async def main():
    ok = True
    for _ in range(10):
        ok &= burst()
        await asyncio.sleep(0.005)
    print("bursts ok", ok)


asyncio.run(main())
