"""Cold-chain monitor for vaccine shipments in reefer containers.

Telemetry arrives on Kafka (one message per container every 30 s). Readings
are stored in TimescaleDB; a temperature excursion (outside 2-8 °C) opens an
incident with the QA team's webhook and escalates to the on-call pharmacist
if nobody acknowledges it within 20 minutes.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os

import aiohttp
import asyncpg
from aiokafka import AIOKafkaConsumer

log = logging.getLogger("coldchain")
QA_WEBHOOK = os.environ.get("QA_WEBHOOK", "https://qa.pharma.example/hooks/excursion")
ESCALATE_AFTER = 20 * 60
LOW, HIGH = 2.0, 8.0


class ColdChainMonitor:
    def __init__(self, pool: asyncpg.Pool, consumer: AIOKafkaConsumer) -> None:
        self.pool = pool
        self.consumer = consumer
        self.escalations: dict[str, asyncio.Task] = {}

    async def open_incident(self, incident_id: int, reading: dict) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:  # bug: ADC402
            async with http.post(QA_WEBHOOK, json={"incident": incident_id, "container": reading["container"],
                                                   "shipment": reading["shipment"],
                                                   "temp_c": reading["temp_c"], "at": reading["ts"]}) as resp:
                resp.raise_for_status()

    async def escalate_later(self, shipment: str) -> None:
        await asyncio.sleep(ESCALATE_AFTER)
        acked = await self.pool.fetchval("SELECT acked FROM incidents WHERE shipment = $1 AND open", shipment)
        if not acked:
            await self.pool.execute("UPDATE incidents SET escalated = now() WHERE shipment = $1 AND open", shipment)
            log.error("excursion on %s not acknowledged, paging on-call", shipment)

    def acknowledge(self, shipment: str) -> None:
        task = self.escalations.pop(shipment, None)
        if task is not None:
            task.cancel()

    async def commit_periodically(self) -> None:
        while True:
            await asyncio.sleep(5)
            await self.consumer.commit()

    async def run(self) -> None:
        asyncio.create_task(self.commit_periodically())  # bug: ADC301
        async for msg in self.consumer:
            if msg.topic == "qa.acks":
                self.acknowledge(msg.value["shipment"])
                continue
            reading = msg.value
            await self.pool.execute(
                "INSERT INTO reefer_readings (ts, container, shipment, temp_c) VALUES (to_timestamp($1), $2, $3, $4)",
                reading["ts"], reading["container"], reading["shipment"], reading["temp_c"])
            out_of_range = not LOW <= reading["temp_c"] <= HIGH
            if out_of_range and reading["shipment"] not in self.escalations:
                incident_id = await self.pool.fetchval(
                    "INSERT INTO incidents (shipment, opened, open) VALUES ($1, now(), true) RETURNING id",
                    reading["shipment"])
                await self.open_incident(incident_id, reading)
                self.escalations[reading["shipment"]] = asyncio.create_task(self.escalate_later(reading["shipment"]))


async def main() -> None:
    consumer = AIOKafkaConsumer("reefer.telemetry", "qa.acks", bootstrap_servers=os.environ["KAFKA"],
                                group_id="coldchain", enable_auto_commit=False,
                                value_deserializer=lambda b: json.loads(b))
    async with asyncpg.create_pool(os.environ["TSDB_DSN"]) as pool:
        await consumer.start()
        try:
            await ColdChainMonitor(pool, consumer).run()
        finally:
            await consumer.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
