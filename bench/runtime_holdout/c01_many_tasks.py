import asyncio


async def work(i):
    await asyncio.sleep(0)
    return i * i


async def main():
    total = 0
    for batch in range(10):
        results = await asyncio.gather(*(work(i) for i in range(2000)))
        total += sum(results)
    print("total", total)


asyncio.run(main())
