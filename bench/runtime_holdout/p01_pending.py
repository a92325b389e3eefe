import asyncio


async def heartbeat():
    while True:
        await asyncio.sleep(0.02)


async def main():
    hb = asyncio.create_task(heartbeat())  # EXPECT: pending-task
    await asyncio.sleep(0.05)
    print("work done, heartbeat running:", not hb.done())


asyncio.run(main())
