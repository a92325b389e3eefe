import asyncio

attempts = 0


async def flaky():
    global attempts
    attempts += 1
    if attempts < 3:
        raise ConnectionError("try again")
    return "ok"


async def with_retry():
    for i in range(5):
        try:
            return await flaky()
        except ConnectionError:
            asyncio.sleep(0.05 * i)  # EXPECT: never-awaited
    return "gave up"


async def main():
    print(await with_retry(), attempts)


asyncio.run(main())
