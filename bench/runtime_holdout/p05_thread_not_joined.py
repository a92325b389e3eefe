import asyncio
import threading


async def watchdog(state):
    while True:
        state["ticks"] += 1
        await asyncio.sleep(0.01)


async def service():
    state = {"ticks": 0}
    wd = asyncio.create_task(watchdog(state))  # EXPECT: pending-task
    await asyncio.sleep(0.2)
    return state["ticks"] > 0


def run():
    print("service ok:", asyncio.run(service()))


threading.Thread(target=run, name="svc").start()
print("main thread returns")
