"""Worker process that mixes a legacy threaded consumer with asyncio services."""
import asyncio
import logging
import threading
from typing import Iterator

from prometheus_client import Counter, start_http_server

from worker.legacy import LegacyConsumer
from worker.webui import serve as serve_ui

log = logging.getLogger("hybrid")

PROCESSED = Counter("hybrid_processed_total", "Messages processed")


def iter_batches(items, size) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class HybridWorker:
    def __init__(self, consumer: LegacyConsumer, sink):
        self.consumer = consumer
        self.sink = sink
        self.legacy_done = threading.Event()
        self.stop = asyncio.Event()
        self._thread = None

    def _legacy_loop(self):
        try:
            for message in self.consumer:
                self.consumer.ack(message)
                PROCESSED.inc()
        finally:
            self.legacy_done.set()

    async def forward(self, records):
        pending = iter_batches(records, 200)
        for batch in pending:
            await self.sink.write_batch(batch)

    async def run(self, metrics_port=9108, ui_port=8088):
        start_http_server(metrics_port)
        ui_thread = serve_ui(port=ui_port, run_async=True)
        self._thread = threading.Thread(target=self._legacy_loop, name="legacy", daemon=True)
        self._thread.start()
        log.info("legacy consumer running; ui thread %s", ui_thread.name)
        await self.stop.wait()
        await asyncio.to_thread(self.consumer.close)
        finished = await asyncio.to_thread(self.legacy_done.wait, 30)
        if not finished:
            log.warning("legacy consumer did not stop in time")
