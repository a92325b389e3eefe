"""Order handling with an audit trail (the audit sink is asynchronous)."""
import asyncio
from dataclasses import dataclass, field


@dataclass
class AuditLog:
    entries: list = field(default_factory=list)

    async def record(self, event, **fields):
        await asyncio.sleep(0.001)  # shipped to the audit store
        self.entries.append((event, tuple(sorted(fields.items()))))


class OrderError(Exception):
    pass


class OrderService:
    def __init__(self, audit, prices):
        self._audit = audit
        self._prices = prices
        self._orders = {}

    async def place(self, order_id, items):
        unknown = [item for item in items if item not in self._prices]
        if unknown:
            raise OrderError(f"unknown items: {', '.join(unknown)}")
        total = round(sum(self._prices[item] * qty for item, qty in items.items()), 2)
        self._orders[order_id] = total
        await self._audit.record("order.placed", order_id=order_id, total=total)
        return total

    async def cancel(self, order_id, reason):
        total = self._orders.pop(order_id, None)
        if total is None:
            raise OrderError(f"no open order {order_id}")
        self._audit.record("order.cancelled", order_id=order_id, reason=reason)  # EXPECT: never-awaited
        return total

    def open_orders(self):
        return dict(sorted(self._orders.items()))
