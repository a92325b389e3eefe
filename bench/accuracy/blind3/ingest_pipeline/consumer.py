from __future__ import annotations

import asyncio
import logging
import signal

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from .schema import load_decoder
from .sinks import ClaimCheckResolver, ClickHouseSink

log = logging.getLogger(__name__)


class IngestService:
    def __init__(self, brokers: str, topic: str, sink: ClickHouseSink, resolver: ClaimCheckResolver) -> None:
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=brokers,
            group_id="ingest",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self._sink = sink
        self._resolver = resolver
        self._stopping = asyncio.Event()

    async def _handle_batch(self, records) -> None:
        events = []
        for record in records:
            headers = dict(record.headers or ())
            schema = headers.get("schema", b"v1").decode()
            decoder = load_decoder(schema)  # bug: ADC101
            events.append(decoder.decode(record.value))
        payloads = await self._resolver.resolve(events)
        for event in events:
            if event["id"] in payloads:
                event["payload"] = payloads[event["id"]].decode("utf-8", "replace")
        await self._sink.write(events)

    async def run(self) -> None:
        await self._consumer.start()
        try:
            while not self._stopping.is_set():
                try:
                    batches = await self._consumer.getmany(timeout_ms=1000, max_records=500)
                    for _tp, records in batches.items():
                        await self._handle_batch(records)
                    if batches:
                        await self._consumer.commit()
                except asyncio.CancelledError:  # bug: ADC601
                    log.info("fetch cancelled, committing what we have")
                    await self._consumer.commit()
                except KafkaError:
                    log.exception("kafka error, backing off")
                    await asyncio.sleep(2)
        finally:
            await self._consumer.stop()

    def stop(self) -> None:
        self._stopping.set()


async def main(brokers: str, topic: str) -> None:
    sink = ClickHouseSink("http://clickhouse:8123", "events", "ingest", "ingest")
    service = IngestService(brokers, topic, sink, ClaimCheckResolver("ingest-claims"))
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, service.stop)
    try:
        await service.run()
    finally:
        await sink.aclose()
