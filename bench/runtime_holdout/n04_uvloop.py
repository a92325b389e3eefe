import asyncio

import uvloop


async def audit(event):
    await asyncio.sleep(0)


async def process(order_id):
    audit(("order", order_id))  # EXPECT: never-awaited
    await asyncio.sleep(0.01)
    return order_id * 2


async def main():
    print(await process(21))


uvloop.run(main())
