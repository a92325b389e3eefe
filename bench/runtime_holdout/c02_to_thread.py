import asyncio
import time


def legacy_io():
    time.sleep(0.3)
    return "done"


async def main():
    a = await asyncio.to_thread(time.sleep, 0.3)
    b = await asyncio.to_thread(legacy_io)
    print(a, b)


asyncio.run(main())
