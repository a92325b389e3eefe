"""Render invoices with a legacy synchronous template engine between async fetches and uploads."""
import asyncio
import time

CUSTOMERS = {
    "c-1": ("Ada Lovelace", [("analytical engine", 1, 1200.0)]),
    "c-2": ("Grace Hopper", [("compiler", 2, 310.0), ("debugger", 1, 95.0)]),
    "c-3": ("Alan Turing", [("bombe", 1, 880.0), ("tape", 12, 1.5)]),
}


async def fetch_customer(customer_id):
    await asyncio.sleep(0.01)  # CRM lookup
    return CUSTOMERS[customer_id]


def render_invoice(name, lines):
    """The old template engine: synchronous, about 80 ms per document."""
    time.sleep(0.08)
    total = sum(qty * price for _, qty, price in lines)
    body = "\n".join(f"  {item:18} {qty:3} x {price:8.2f}" for item, qty, price in lines)
    return f"INVOICE for {name}\n{body}\n  total {total:.2f}\n", total


async def upload(document, store):
    await asyncio.sleep(0.005)  # object storage PUT
    store.append(len(document))


async def main():
    store = []
    totals = {}
    for customer_id in sorted(CUSTOMERS):
        name, lines = await fetch_customer(customer_id)
        document, total = render_invoice(name, lines)
        await upload(document, store)
        totals[name] = total
    for name, total in totals.items():
        print(f"{name}: {total:.2f}")
    print("uploaded documents:", len(store))


if __name__ == "__main__":
    asyncio.run(main())
