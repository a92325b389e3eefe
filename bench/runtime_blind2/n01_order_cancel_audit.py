"""Place a few orders, cancel one, and print what the audit trail says."""
import asyncio

from helper_audit import AuditLog, OrderError, OrderService

PRICES = {"widget": 2.5, "gadget": 12.0, "gizmo": 7.25}


async def main():
    audit = AuditLog()
    orders = OrderService(audit, PRICES)
    placed = await asyncio.gather(
        orders.place("o-1", {"widget": 4}),
        orders.place("o-2", {"gadget": 1, "gizmo": 2}),
        orders.place("o-3", {"gizmo": 1}),
    )
    print("placed totals:", placed)
    try:
        await orders.place("o-4", {"sprocket": 1})
    except OrderError as exc:
        print("rejected o-4:", exc)
    refunded = await orders.cancel("o-2", reason="customer request")
    print("refunded o-2:", refunded)
    await asyncio.sleep(0.01)
    print("open orders:", orders.open_orders())
    print("audit events:", [event for event, _ in audit.entries])


if __name__ == "__main__":
    asyncio.run(main())
