"""Metrics agent on uvloop with the eager task factory and a named flusher task."""
import asyncio
import sys

import uvloop


class Agent:
    def __init__(self):
        self.points: list[tuple[str, float]] = []
        self.flushed: list[int] = []

    def record(self, name: str, value: float):
        self.points.append((name, value))

    async def _flush_loop(self, every: float):
        while True:
            self.flushed.append(len(self.points))
            self.points.clear()
            await asyncio.sleep(every)

    def start(self):
        return asyncio.create_task(self._flush_loop(30.0), name="metrics-flusher")  # EXPECT: pending-task


async def job(agent: Agent, n: int) -> int:
    await asyncio.sleep(0.005 * n)
    agent.record(f"job{n}.seconds", 0.005 * n)
    return n * n


async def main():
    if sys.version_info >= (3, 12):
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
    agent = Agent()
    agent.record("boot", 1.0)
    agent.start()
    results = await asyncio.gather(*(job(agent, n) for n in range(1, 5)))
    print("results:", results)
    print("first flush:", agent.flushed)
    print("buffered:", sorted(name for name, _ in agent.points))


if __name__ == "__main__":
    uvloop.run(main())
