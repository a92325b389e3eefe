from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any

import redis.asyncio as redis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

log = logging.getLogger("order-events")

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
BROKERS = os.environ.get("KAFKA_BROKERS", "localhost:9092")


class OrderProjection:
    """Keeps the per-customer order summary in Redis up to date."""

    def __init__(self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None:
        self.consumer = consumer
        self.producer = producer
        self.processed = 0

    async def apply(self, event: dict[str, Any]) -> None:
        cache = redis.Redis.from_url(REDIS_URL, decode_responses=True)  # bug: ADC402
        try:
            key = f"customer:{event['customer_id']}:orders"
            if event["type"] == "order_created":
                await cache.hset(key, event["order_id"], json.dumps({"total": event["total"], "status": "new"}))
            elif event["type"] == "order_status":
                raw = await cache.hget(key, event["order_id"])
                if raw is not None:
                    summary = json.loads(raw)
                    summary["status"] = event["status"]
                    await cache.hset(key, event["order_id"], json.dumps(summary))
        finally:
            await cache.aclose()

    async def run(self) -> None:
        async for msg in self.consumer:
            try:
                event = json.loads(msg.value)
                await self.apply(event)
                self.processed += 1
            except asyncio.CancelledError:  # bug: ADC601
                log.warning("projection cancelled at offset %d, skipping event", msg.offset)
            except (ValueError, KeyError):
                log.exception("bad event at offset %d", msg.offset)
                await self.producer.send_and_wait("order-events.dlq", msg.value)
            await self.consumer.commit()


async def main() -> None:
    consumer = AIOKafkaConsumer(
        "order-events", bootstrap_servers=BROKERS, group_id="order-projection", enable_auto_commit=False
    )
    producer = AIOKafkaProducer(bootstrap_servers=BROKERS)
    await consumer.start()
    await producer.start()
    try:
        await OrderProjection(consumer, producer).run()
    finally:
        await consumer.stop()
        await producer.stop()


if __name__ == "__main__":
    asyncio.run(main())
