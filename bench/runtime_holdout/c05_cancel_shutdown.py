import asyncio


async def ticker(name):
    try:
        while True:
            await asyncio.sleep(0.01)
    except asyncio.CancelledError:
        raise


async def main():
    tasks = [asyncio.create_task(ticker(f"t{i}")) for i in range(5)]
    await asyncio.sleep(0.05)
    for t in tasks:
        t.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    print("cancelled", sum(isinstance(r, asyncio.CancelledError) for r in results))


asyncio.run(main())
