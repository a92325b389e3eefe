import asyncio

background = set()


async def log_event(i):
    await asyncio.sleep(0.01)
    return i


async def main():
    for i in range(100):
        t = asyncio.create_task(log_event(i))
        background.add(t)
        t.add_done_callback(background.discard)
    while background:
        await asyncio.sleep(0.01)
    print("all logged")


asyncio.run(main())
