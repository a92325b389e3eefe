"""A job runner that keeps references to its background tasks (as the docs advise)."""
import asyncio
import sys

BACKGROUND: list[asyncio.Task] = []
RECEIPTS: list[str] = []


async def send_invoice(customer: str, amount: int):
    await asyncio.sleep(0.01)
    if amount <= 0:
        raise ValueError(f"refusing invoice of {amount} for {customer}")  # EXPECT: unretrieved-exception
    RECEIPTS.append(f"invoice:{customer}:{amount}")


def spawn(coro) -> None:
    BACKGROUND.append(asyncio.create_task(coro))


async def main() -> int:
    for customer, amount in [("acme", 120), ("globex", 0), ("initech", 75)]:
        spawn(send_invoice(customer, amount))
    await asyncio.sleep(0.05)
    print("finished jobs:", sum(t.done() for t in BACKGROUND))
    print("receipts:", RECEIPTS)
    if len(RECEIPTS) < len(BACKGROUND):
        print("some invoices are unconfirmed")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
