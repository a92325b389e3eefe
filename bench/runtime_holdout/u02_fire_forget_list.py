import asyncio

jobs = []


async def refresh_cache(key):
    await asyncio.sleep(0.01)
    data = {"a": 1}
    return data[key]  # EXPECT: unretrieved-exception


def schedule(key):
    jobs.append(asyncio.ensure_future(refresh_cache(key)))


async def main():
    schedule("a")
    schedule("missing")
    await asyncio.sleep(0.1)
    print("scheduled", len(jobs))


asyncio.run(main())
