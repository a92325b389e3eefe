"""Order service that writes an audit trail for every state change."""
import asyncio
from dataclasses import dataclass, field


@dataclass
class AuditLog:
    entries: list[str] = field(default_factory=list)

    async def record(self, order_id: int, event: str):
        await asyncio.sleep(0.005)  # would be an INSERT in production
        self.entries.append(f"{order_id}:{event}")


@dataclass
class Order:
    order_id: int
    items: list[str]
    state: str = "new"


class OrderService:
    def __init__(self, audit: AuditLog):
        self.audit = audit
        self.orders: dict[int, Order] = {}

    async def place(self, order_id: int, items: list[str]) -> Order:
        order = Order(order_id, items)
        self.orders[order_id] = order
        await self.audit.record(order_id, "placed")
        return order

    async def ship(self, order_id: int) -> Order:
        order = self.orders[order_id]
        order.state = "shipped"
        self.audit.record(order_id, "shipped")  # EXPECT: never-awaited
        await asyncio.sleep(0.01)
        return order

    async def cancel(self, order_id: int) -> Order:
        order = self.orders[order_id]
        order.state = "cancelled"
        await self.audit.record(order_id, "cancelled")
        return order


async def main():
    audit = AuditLog()
    service = OrderService(audit)
    await service.place(1, ["book"])
    await service.place(2, ["lamp", "bulb"])
    await service.ship(1)
    await service.cancel(2)
    for order in service.orders.values():
        print(order.order_id, order.state, ",".join(order.items))
    print("audit:", audit.entries)


if __name__ == "__main__":
    asyncio.run(main())
