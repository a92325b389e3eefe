"""JetStream consumer: turns usage events into billing line items."""
import asyncio
import json
import logging

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig

log = logging.getLogger("billing")

STREAM = "USAGE"
SUBJECT = "usage.>"


class BillingConsumer:
    def __init__(self, ledger, prices) -> None:
        self.ledger = ledger
        self.prices = prices
        self.nc = None
        self.processed = 0

    async def handle(self, msg) -> None:
        event = json.loads(msg.data)
        if event.get("test"):
            msg.ack()  # bug: ADC201
            return
        unit_price = await self.prices.lookup(event["sku"], event["plan"])
        await self.ledger.add_line_item(
            account=event["account"], sku=event["sku"], quantity=event["quantity"],
            amount=unit_price * event["quantity"], idempotency_key=msg.header.get("Nats-Msg-Id"),
        )
        await msg.ack()
        self.processed += 1

    async def run(self, servers: str, stop: asyncio.Event) -> None:
        self.nc = await nats.connect(servers, name="billing-consumer")
        try:
            js = self.nc.jetstream()
            sub = await js.pull_subscribe(SUBJECT, durable="billing", stream=STREAM,
                                          config=ConsumerConfig(ack_wait=60, max_deliver=5))
            while not stop.is_set():
                try:
                    batch = await sub.fetch(50, timeout=5)
                except NatsTimeout:
                    continue
                # The ledger keeps a running balance per account: apply in stream order.
                for msg in batch:
                    try:
                        await self.handle(msg)
                    except (KeyError, ValueError) as exc:
                        log.error("bad usage event %s: %s", msg.subject, exc)
                        await msg.term()
                    except BaseException:  # bug: ADC601
                        log.exception("billing failed, redelivering later")
                        await msg.nak(delay=30)
        finally:
            await self.nc.drain()


async def main() -> None:
    from billing.ledger import Ledger
    from billing.prices import PriceBook

    stop = asyncio.Event()
    async with Ledger.from_env() as ledger:
        consumer = BillingConsumer(ledger, PriceBook(ledger))
        await consumer.run("nats://nats:4222", stop)


if __name__ == "__main__":
    asyncio.run(main())
