"""Every coroutine is awaited, so every one of them runs (clean).

``await`` is what runs a coroutine and hands back its result (or its
exception).  If you really want something to run in the background, start
a task and keep a reference to it: see ``examples/task_reference``.
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
        await self.notify(user, f"order {order_id} has shipped")


async def save_audit(event: str) -> None:
    await asyncio.sleep(0.01)
    AUDIT_LOG.append(event)


async def main() -> None:
    shipping = Shipping()
    await shipping.ship(42, "ana")
    await save_audit("order 42 shipped")
    await asyncio.sleep(0.1)
    print("shipped:", shipping.shipped)
    print("messages:", shipping.messages)
    print("audit:", AUDIT_LOG)


if __name__ == "__main__":
    asyncio.run(main())
