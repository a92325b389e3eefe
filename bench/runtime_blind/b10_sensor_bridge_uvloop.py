"""Bridges readings from a sensor thread into an async pipeline (uvloop runner)."""
import asyncio
import queue
import threading

import uvloop


class SensorThread(threading.Thread):
    def __init__(self, inbox: queue.Queue, readings: list[float]):
        super().__init__(name="sensor")
        self.inbox = inbox
        self.readings = readings

    def run(self):
        for value in self.readings:
            self.inbox.put(value)


class Pipeline:
    def __init__(self, inbox: queue.Queue):
        self.inbox = inbox
        self.batches: list[list[float]] = []

    def drain(self) -> list[float]:
        batch = []
        while True:
            try:
                batch.append(self.inbox.get(timeout=0.11))  # EXPECT: blocking-call 110ms
            except queue.Empty:
                return batch

    async def poll(self, rounds: int):
        for _ in range(rounds):
            await asyncio.sleep(0.1)
            if self.inbox.qsize():
                self.batches.append(self.drain())


async def main(inbox: queue.Queue):
    pipeline = Pipeline(inbox)
    await pipeline.poll(3)
    for n, batch in enumerate(pipeline.batches):
        print(f"batch {n}: {len(batch)} readings, mean {sum(batch) / len(batch):.2f}")
    print("batches:", len(pipeline.batches))


if __name__ == "__main__":
    box: queue.Queue = queue.Queue()
    sensor = SensorThread(box, [20.5, 21.0, 21.25, 22.0, 20.75])
    sensor.start()
    sensor.join()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main(box))
