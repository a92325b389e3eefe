import asyncio
import json
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from .enrich import enrich
from .utils import parse_event

log = logging.getLogger(__name__)


async def run(bootstrap: str = "kafka:9092") -> None:
    consumer = AIOKafkaConsumer(
        "clicks",
        bootstrap_servers=bootstrap,
        group_id="click-enricher",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await consumer.start()
    await producer.start()
    try:
        # one partition's events stay in order, and the offset is committed
        # only after the enriched event is written
        async for msg in consumer:
            event = parse_event(msg.value)
            enriched = await enrich(event)
            await producer.send_and_wait("clicks-enriched", json.dumps(enriched).encode())
            await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


if __name__ == "__main__":
    asyncio.run(run())
