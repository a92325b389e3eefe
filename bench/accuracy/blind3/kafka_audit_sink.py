"""Consumes audit events from Kafka and stores them in Postgres, in partition order."""
from __future__ import annotations

import asyncio
import json
import logging
import signal

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError

log = logging.getLogger("audit-sink")

INSERT = """
INSERT INTO audit_events (event_id, occurred_at, actor, action, payload)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (event_id) DO NOTHING
"""


class AuditSink:
    def __init__(self, consumer: AIOKafkaConsumer, pool: asyncpg.Pool) -> None:
        self.consumer = consumer
        self.pool = pool
        self.stopping = asyncio.Event()
        self.stored = 0

    async def _store_partition(self, tp: TopicPartition, records) -> None:
        rows = []
        for record in records:
            event = json.loads(record.value)
            rows.append((event["id"], event["at"], event["actor"], event["action"], json.dumps(event.get("payload", {}))))
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                await conn.executemany(INSERT, rows)
        self.stored += len(rows)

    async def run(self) -> None:
        while not self.stopping.is_set():
            batches = await self.consumer.getmany(timeout_ms=500, max_records=1000)
            if not batches:
                continue
            for tp, records in batches.items():
                await self._store_partition(tp, records)
            try:
                await self.consumer.commit()
            except CommitFailedError:
                log.warning("commit failed after rebalance; records will be redelivered")

    async def replay_partition(self, tp: TopicPartition, from_offset: int) -> int:
        """Re-read one partition from an offset; events must be applied in order."""
        self.consumer.seek(tp, from_offset)
        applied = 0
        while True:
            batch = await self.consumer.getmany(tp, timeout_ms=1000, max_records=500)
            records = batch.get(tp, [])
            if not records:
                break
            await self._store_partition(tp, records)
            applied += len(records)
        return applied


async def main() -> None:
    pool = await asyncpg.create_pool("postgresql://audit@db/audit", max_size=4)
    consumer = AIOKafkaConsumer(
        "audit-events", bootstrap_servers="kafka:9092", group_id="audit-sink", enable_auto_commit=False
    )
    sink = AuditSink(consumer, pool)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, sink.stopping.set)
    await consumer.start()
    try:
        await sink.run()
    finally:
        await consumer.stop()
        await pool.close()
        log.info("stored %d events", sink.stored)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
