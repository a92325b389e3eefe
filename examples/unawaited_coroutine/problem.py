"""Coroutines that are created but never awaited (ADC201 unawaited-coroutine).

Calling an ``async def`` function does not run it: it only creates a
coroutine object, and without ``await`` that object is thrown away.  Here
``Shipping.ship`` forgets to await ``self.notify`` (an async method),
``main`` forgets to await the local ``save_audit``, and the pause before
the summary is an ``asyncio.sleep`` nobody awaits.  Run it: the customer is
never told, the audit log stays empty, Python warns "coroutine ... was
never awaited" at exit, and nothing else tells you.
"""

import asyncio

AUDIT_LOG: list[str] = []


class Shipping:
    def __init__(self) -> None:
        self.shipped: list[int] = []
        self.messages: list[str] = []

    async def notify(self, user: str, text: str) -> None:
        await asyncio.sleep(0.05)  # stands in for the network
        self.messages.append(f"to {user}: {text}")

    async def ship(self, order_id: int, user: str) -> None:
        self.shipped.append(order_id)
        self.notify(user, f"order {order_id} has shipped")  # ADC201: never sent


async def save_audit(event: str) -> None:
    await asyncio.sleep(0.01)
    AUDIT_LOG.append(event)


async def main() -> None:
    shipping = Shipping()
    await shipping.ship(42, "ana")
    save_audit("order 42 shipped")  # ADC201: never runs
    asyncio.sleep(0.1)  # ADC201: does not pause anything
    print("shipped:", shipping.shipped)
    print("messages:", shipping.messages)
    print("audit:", AUDIT_LOG)


if __name__ == "__main__":
    asyncio.run(main())
