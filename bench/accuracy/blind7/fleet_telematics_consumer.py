"""Consume truck telematics from Kafka and store trips; raise harsh-braking
alerts in the safety team's database.
"""
import asyncio
import json
import logging
import os
import signal

import asyncpg
from aiokafka import AIOKafkaConsumer

log = logging.getLogger("telematics")

TRIPS_DSN = os.environ["TRIPS_DSN"]
SAFETY_DSN = os.environ["SAFETY_DSN"]
HARSH_BRAKE_MS2 = -6.0


class TelematicsConsumer:
    def __init__(self, consumer: AIOKafkaConsumer, pool: asyncpg.Pool) -> None:
        self.consumer = consumer
        self.pool = pool
        self.stopping = asyncio.Event()

    async def record_alert(self, event: dict) -> None:
        conn = await asyncpg.connect(SAFETY_DSN)  # bug: ADC402
        try:
            await conn.execute(
                "INSERT INTO harsh_events(truck_id, ts, decel, lat, lon) VALUES ($1, to_timestamp($2), $3, $4, $5)",
                event["truck_id"], event["ts"], event["accel_x"], event["lat"], event["lon"],
            )
        finally:
            await conn.close()

    async def process(self, event: dict) -> None:
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO positions(truck_id, ts, lat, lon, speed) VALUES ($1, to_timestamp($2), $3, $4, $5)",
                    event["truck_id"], event["ts"], event["lat"], event["lon"], event["speed"],
                )
                await conn.execute(
                    "UPDATE trips SET last_seen = to_timestamp($2), odometer = $3 WHERE truck_id = $1 AND open",
                    event["truck_id"], event["ts"], event["odometer"],
                )
        if event.get("accel_x", 0) <= HARSH_BRAKE_MS2:
            await self.record_alert(event)

    async def run(self) -> None:
        while not self.stopping.is_set():
            batches = await self.consumer.getmany(timeout_ms=1000, max_records=500)
            for tp, messages in batches.items():
                for msg in messages:
                    try:
                        await self.process(json.loads(msg.value))
                    except BaseException:  # bug: ADC601
                        log.exception("dropping event at %s offset %d", tp, msg.offset)
            if batches:
                await self.consumer.commit()


async def main() -> None:
    consumer = AIOKafkaConsumer(
        "telematics.v2", bootstrap_servers=os.environ["KAFKA"], group_id="trip-store",
        enable_auto_commit=False, auto_offset_reset="earliest",
    )
    pool = await asyncpg.create_pool(TRIPS_DSN, min_size=2, max_size=8)
    await consumer.start()
    app = TelematicsConsumer(consumer, pool)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, app.stopping.set)
    try:
        await app.run()
    finally:
        await consumer.stop()
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
