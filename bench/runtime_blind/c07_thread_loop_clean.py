"""A sync GUI-style app that talks to an async backend running on a loop in a thread, stopped cleanly."""
import asyncio
import threading


class Backend:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="backend-loop")
        self.tick_task: asyncio.Task | None = None
        self.ticks = 0

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def _start_ticker(self):
        self.tick_task = asyncio.create_task(self._ticker())

    async def _ticker(self):
        while True:
            await asyncio.sleep(0.01)
            self.ticks += 1

    async def _shutdown(self):
        self.tick_task.cancel()
        try:
            await self.tick_task
        except asyncio.CancelledError:
            pass
        await self.loop.shutdown_asyncgens()

    async def compute(self, x: int) -> int:
        await asyncio.sleep(0.02)
        return x * x

    def call(self, coro, timeout: float = 5):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self):
        self.thread.start()
        self.call(self._start_ticker())

    def stop(self):
        self.call(self._shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


def main():
    backend = Backend()
    backend.start()
    try:
        for x in (3, 4, 5):
            print(f"{x}^2 =", backend.call(backend.compute(x)))
    finally:
        backend.stop()
    print("backend ticked:", backend.ticks > 0)
    print("loop closed:", backend.loop.is_closed())


if __name__ == "__main__":
    main()
