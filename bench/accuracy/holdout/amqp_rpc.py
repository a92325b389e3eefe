"""Request/reply over RabbitMQ with aio-pika: a pricing RPC server and its client."""
import asyncio
import json
import logging
import uuid
from decimal import Decimal

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

log = logging.getLogger("rpc")

URL = "amqp://guest:guest@rabbit/"


async def quote(payload: dict) -> dict:
    base = Decimal(payload["base_price"])
    qty = int(payload["qty"])
    discount = Decimal("0.1") if qty >= 100 else Decimal(0)
    return {"total": str(base * qty * (1 - discount))}


async def serve() -> None:
    connection = await aio_pika.connect_robust(URL)
    async with connection:
        channel = await connection.channel()
        exchange = channel.default_exchange
        queue = await channel.declare_queue("rpc.quote")

        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process(requeue=False):
                    try:
                        result = await quote(json.loads(message.body))
                    except (KeyError, ValueError) as exc:
                        result = {"error": str(exc)}
                    await exchange.publish(
                        aio_pika.Message(json.dumps(result).encode(), correlation_id=message.correlation_id),
                        routing_key=message.reply_to,
                    )


class QuoteClient:
    def __init__(self) -> None:
        self.futures: dict[str, asyncio.Future] = {}

    async def __aenter__(self) -> "QuoteClient":
        self.connection = await aio_pika.connect_robust(URL)
        self.channel = await self.connection.channel()
        self.callback_queue = await self.channel.declare_queue(exclusive=True)
        await self.callback_queue.consume(self._on_response, no_ack=True)
        return self

    async def __aexit__(self, *exc) -> None:
        for fut in self.futures.values():
            fut.cancel()
        await self.connection.close()

    async def _on_response(self, message: AbstractIncomingMessage) -> None:
        fut = self.futures.pop(message.correlation_id, None)
        if fut is not None and not fut.done():
            fut.set_result(json.loads(message.body))

    async def quote(self, base_price: str, qty: int, timeout: float = 5) -> dict:
        corr = str(uuid.uuid4())
        fut = asyncio.get_running_loop().create_future()
        self.futures[corr] = fut
        await self.channel.default_exchange.publish(
            aio_pika.Message(
                json.dumps({"base_price": base_price, "qty": qty}).encode(),
                correlation_id=corr,
                reply_to=self.callback_queue.name,
            ),
            routing_key="rpc.quote",
        )
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.futures.pop(corr, None)


async def demo() -> None:
    async with QuoteClient() as client:
        small, bulk = await asyncio.gather(client.quote("9.99", 3), client.quote("9.99", 250))
        print(small, bulk)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(serve())
