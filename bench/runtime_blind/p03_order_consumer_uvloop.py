"""Order pipeline on uvloop: a producer enqueues orders, a consumer charges them."""
import asyncio

import uvloop


class PaymentGateway:
    def __init__(self):
        self.charged: list[tuple[str, int]] = []

    async def charge(self, order_id: str, cents: int):
        await asyncio.sleep(0.003)
        self.charged.append((order_id, cents))


async def consumer(queue: asyncio.Queue, gateway: PaymentGateway):
    while True:
        order_id, cents = await queue.get()
        await gateway.charge(order_id, cents)
        queue.task_done()


async def producer(queue: asyncio.Queue, orders: list[tuple[str, int]]):
    for order in orders:
        await queue.put(order)
        await asyncio.sleep(0.001)


async def main():
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue(maxsize=2)
    gateway = PaymentGateway()
    loop.create_task(consumer(queue, gateway))  # EXPECT: pending-task
    await producer(queue, [("o-1", 1250), ("o-2", 399), ("o-3", 18000), ("o-4", 5)])
    await queue.join()
    for order_id, cents in gateway.charged:
        print(f"{order_id}: {cents / 100:.2f}")
    print("total:", sum(c for _, c in gateway.charged))


if __name__ == "__main__":
    uvloop.run(main())
