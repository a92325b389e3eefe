import asyncio
import threading
import time

import uvloop


class Batch:
    def __init__(self):
        self.items = []

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        # flush synchronously: blocks the thread's loop
        time.sleep(0.25)  # EXPECT: blocking-call
        self.items.clear()


async def ingest():
    async with Batch() as b:
        for i in range(3):
            b.items.append(i)
            await asyncio.sleep(0)
    return "flushed"


def thread_main():
    print("thread:", uvloop.run(ingest()))


th = threading.Thread(target=thread_main, name="ingest")
th.start()
th.join()
