import asyncio


async def flush_metrics():
    await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(flush_metrics)  # EXPECT: never-awaited
    await asyncio.sleep(0.05)
    print("done")


asyncio.run(main())
