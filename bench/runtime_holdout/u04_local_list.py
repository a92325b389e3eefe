import asyncio


async def notify(user):
    await asyncio.sleep(0.01)
    if user == "eve":
        raise PermissionError(f"user {user} is blocked")  # EXPECT: unretrieved-exception


async def main():
    pending = []
    for user in ("alice", "eve"):
        pending.append(asyncio.create_task(notify(user)))
    await asyncio.sleep(0.1)
    print("notified", len(pending))


asyncio.run(main())
