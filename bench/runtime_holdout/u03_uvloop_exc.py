import asyncio

import uvloop


class Worker:
    def __init__(self):
        self._tasks = set()

    async def _handle(self, msg):
        await asyncio.sleep(0)
        if msg == "poison":
            raise RuntimeError("cannot handle poison message")  # EXPECT: unretrieved-exception
        return msg

    def submit(self, msg):
        t = asyncio.get_running_loop().create_task(self._handle(msg))
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)


async def main():
    w = Worker()
    for m in ("a", "poison", "b"):
        w.submit(m)
    await asyncio.sleep(0.05)
    print("submitted")


uvloop.run(main())
