import asyncio


async def consumer(queue, out):
    while True:
        item = await queue.get()
        out.append(item * 2)
        queue.task_done()


async def main():
    queue = asyncio.Queue()
    out = []
    asyncio.ensure_future(consumer(queue, out))  # EXPECT: pending-task
    for i in range(5):
        queue.put_nowait(i)
    await queue.join()
    print("out", out)


asyncio.run(main())
