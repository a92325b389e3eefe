import asyncio
import json
import logging
import signal

import aio_pika

log = logging.getLogger("rpc-worker")


class RpcWorker:
    def __init__(self, url, queue_name="rpc.pricing", prefetch=20):
        self.url = url
        self.queue_name = queue_name
        self.prefetch = prefetch
        self.connection = None
        self.channel = None
        self.handled = 0
        self._stopping = asyncio.Event()

    async def compute_price(self, payload):
        base = payload["base_price"]
        discount = payload.get("discount", 0)
        await asyncio.sleep(0)
        return round(base * (1 - discount / 100), 2)

    async def _reply(self, message, body):
        await self.channel.default_exchange.publish(
            aio_pika.Message(body=json.dumps(body).encode(), correlation_id=message.correlation_id),
            routing_key=message.reply_to,
        )

    async def consume(self):
        queue = await self.channel.declare_queue(self.queue_name, durable=True)
        async with queue.iterator() as messages:
            async for message in messages:
                try:
                    payload = json.loads(message.body)
                    price = await self.compute_price(payload)
                    await self._reply(message, {"ok": True, "price": price})
                    await message.ack()
                    self.handled += 1
                except (ValueError, KeyError) as exc:
                    await self._reply(message, {"ok": False, "error": str(exc)})
                    await message.reject()
                finally:
                    if not message.processed:
                        await message.nack(requeue=True)
                    continue  # bug: ADC601
                if self._stopping.is_set():
                    break

    async def shutdown(self):
        log.info("shutting down after %d requests", self.handled)
        self._stopping.set()
        if self.connection is not None:
            await self.connection.close()

    async def run(self):
        self.connection = await aio_pika.connect_robust(self.url)
        self.channel = await self.connection.channel()
        await self.channel.set_qos(prefetch_count=self.prefetch)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.shutdown)  # bug: ADC202
        await self.consume()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(RpcWorker("amqp://guest:guest@localhost/").run())
