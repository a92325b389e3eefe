"""Trackside RFID (AEI) passages -> wagon positions and customer consignment events."""
import asyncio
import json
import logging
import os
from datetime import datetime

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

log = logging.getLogger("wagon-tracking")

BOOTSTRAP = "kafka-1.rail.lan:9092,kafka-2.rail.lan:9092"
WAGON_REGISTER = "https://wagons.freight-operator.example/api"


class PassageHandler:
    def __init__(self, pool: asyncpg.Pool, register: httpx.AsyncClient, producer: AIOKafkaProducer):
        self.pool = pool
        self.register = register
        self.producer = producer

    async def consignment_for(self, wagon_no: str) -> dict | None:
        resp = await self.register.get(f"/wagons/{wagon_no}/consignment")
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        return resp.json()

    async def handle(self, passage: dict) -> None:
        seen_at = datetime.fromisoformat(passage["ts"])
        wagons = sorted(passage["wagons"], key=lambda w: w["position"])
        consignments = {}
        for wagon in wagons:
            found = await self.consignment_for(wagon["wagon_no"])  # bug: ADC501
            if found:
                consignments[wagon["wagon_no"]] = found
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                await conn.executemany(
                    "insert into wagon_positions (wagon_no, reader, train_id, position, seen_at)"
                    " values ($1, $2, $3, $4, $5) on conflict do nothing",
                    [(w["wagon_no"], passage["reader"], passage["train_id"], w["position"], seen_at)
                     for w in wagons],
                )
        # send() only appends to the producer's batch; flush() below waits for delivery
        for wagon_no, c in consignments.items():
            event = {"consignment": c["id"], "wagon": wagon_no, "at": passage["location"], "ts": passage["ts"]}
            await self.producer.send("consignment-events", value=event, key=c["customer"].encode())
        await self.producer.flush()

    async def park(self, msg) -> None:
        await self.pool.execute(
            "insert into parked_passages (topic, part, off, body) values ($1, $2, $3, $4)",
            msg.topic, msg.partition, msg.offset, json.dumps(msg.value),
        )


async def run() -> None:
    consumer = AIOKafkaConsumer(
        "aei-passages", bootstrap_servers=BOOTSTRAP, group_id="wagon-tracking",
        enable_auto_commit=False, value_deserializer=json.loads,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=BOOTSTRAP, value_serializer=lambda v: json.dumps(v).encode(), acks="all"
    )
    await consumer.start()
    await producer.start()
    pool = await asyncpg.create_pool(os.environ["TRACKING_DSN"], max_size=4)
    try:
        async with httpx.AsyncClient(base_url=WAGON_REGISTER, timeout=10) as register:
            handler = PassageHandler(pool, register, producer)
            async for msg in consumer:
                try:
                    await handler.handle(msg.value)
                except BaseException:  # bug: ADC601
                    log.exception("passage at %s/%s failed, parking it", msg.partition, msg.offset)
                    await handler.park(msg)
                await consumer.commit()
    finally:
        await pool.close()
        await producer.stop()
        await consumer.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run())
