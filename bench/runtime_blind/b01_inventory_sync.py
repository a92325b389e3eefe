"""Inventory sync worker: applies stock updates that arrive on a queue."""
import asyncio
import time
from dataclasses import dataclass


@dataclass
class Update:
    sku: str
    delta: int


class Warehouse:
    def __init__(self):
        self.stock = {"A-100": 5, "B-200": 12, "C-300": 0}
        self.corrections = 0

    def apply(self, update: Update) -> int:
        if update.sku not in self.stock:
            raise KeyError(update.sku)
        self.stock[update.sku] += update.delta
        if self.stock[update.sku] < 0:
            # the legacy backend wants a short pause before a negative correction
            self.corrections += 1
            time.sleep(0.105)  # EXPECT: blocking-call 105ms
            self.stock[update.sku] = 0
        return self.stock[update.sku]


async def worker(queue: asyncio.Queue, warehouse: Warehouse, applied: list):
    while True:
        update = await queue.get()
        try:
            applied.append((update.sku, warehouse.apply(update)))
        finally:
            queue.task_done()


async def main():
    queue: asyncio.Queue = asyncio.Queue()
    warehouse = Warehouse()
    applied: list = []
    task = asyncio.create_task(worker(queue, warehouse, applied))
    for sku, delta in [("A-100", -2), ("B-200", 3), ("C-300", -1), ("A-100", 4)]:
        await asyncio.sleep(0.05)
        queue.put_nowait(Update(sku, delta))
    await queue.join()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    for sku, level in applied:
        print(f"{sku}: {level}")
    print("corrections:", warehouse.corrections)


if __name__ == "__main__":
    asyncio.run(main())
