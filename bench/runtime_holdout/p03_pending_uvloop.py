import asyncio

import uvloop


async def poll_status(state):
    while True:
        state["polls"] += 1
        await asyncio.sleep(0.01)


async def main():
    state = {"polls": 0}
    loop = asyncio.get_running_loop()
    poller = loop.create_task(poll_status(state))  # EXPECT: pending-task
    await asyncio.sleep(0.05)
    print("polled at least once:", state["polls"] > 0)


uvloop.run(main())
