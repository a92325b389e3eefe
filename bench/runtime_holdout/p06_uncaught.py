import asyncio


async def lease_renewer():
    while True:
        await asyncio.sleep(0.01)


async def main():
    renewer = asyncio.create_task(lease_renewer())  # EXPECT: pending-task
    await asyncio.sleep(0.03)
    raise RuntimeError("migration failed")


asyncio.run(main())
