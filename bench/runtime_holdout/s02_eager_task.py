import asyncio
import sys
import time


async def load_user(uid):
    time.sleep(0.25)  # EXPECT: blocking-call
    await asyncio.sleep(0)
    return uid


async def main():
    loop = asyncio.get_running_loop()
    if sys.version_info >= (3, 12):
        loop.set_task_factory(asyncio.eager_task_factory)
    t = asyncio.create_task(load_user(7))
    print("user", await t)


asyncio.run(main())
