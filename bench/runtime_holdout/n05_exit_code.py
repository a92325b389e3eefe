import asyncio
import sys


async def rollback(tx):
    await asyncio.sleep(0)


async def commit(tx):
    if tx["amount"] < 0:
        rollback(tx)  # EXPECT: never-awaited
        return False
    return True


async def main():
    ok = await commit({"amount": -5})
    print("committed:", ok)
    if not ok:
        sys.exit(3)


asyncio.run(main())
