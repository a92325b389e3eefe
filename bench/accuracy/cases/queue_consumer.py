import asyncio
import json
import logging

import aio_pika

log = logging.getLogger(__name__)


class OrderConsumer:
    def __init__(self, amqp_url: str, queue_name: str = "orders") -> None:
        self.amqp_url = amqp_url
        self.queue_name = queue_name
        self.processed = 0

    async def handle(self, body: dict) -> None:
        log.info("order %s for %s", body["id"], body["customer"])
        await asyncio.sleep(0)

    async def run(self) -> None:
        connection = await aio_pika.connect_robust(self.amqp_url)
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=20)
            queue = await channel.declare_queue(self.queue_name, durable=True)
            async with queue.iterator() as messages:
                async for message in messages:
                    async with message.process(requeue=True):
                        await self.handle(json.loads(message.body))
                        self.processed += 1
        except asyncio.CancelledError:  # bug: ADC601
            log.info("consumer stopped after %d messages", self.processed)
        finally:
            await connection.close()
