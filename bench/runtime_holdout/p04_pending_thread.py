import asyncio
import threading


async def keepalive():
    while True:
        await asyncio.sleep(0.01)


async def thread_main():
    ka = asyncio.create_task(keepalive())  # EXPECT: pending-task
    await asyncio.sleep(0.03)
    return "ok"


def run_loop():
    print("thread:", asyncio.run(thread_main()))


th = threading.Thread(target=run_loop)
th.start()
th.join()
