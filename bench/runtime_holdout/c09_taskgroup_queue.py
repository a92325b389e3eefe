import asyncio


async def producer(q):
    for i in range(50):
        await q.put(i)
    await q.put(None)


async def consumer(q, out):
    while (item := await q.get()) is not None:
        out.append(item)


async def main():
    q = asyncio.Queue(maxsize=5)
    out = []
    async with asyncio.TaskGroup() as tg:
        tg.create_task(producer(q))
        tg.create_task(consumer(q, out))
    proc = await asyncio.create_subprocess_exec("true")
    await proc.wait()
    print("consumed", len(out), "rc", proc.returncode)


asyncio.run(main())
