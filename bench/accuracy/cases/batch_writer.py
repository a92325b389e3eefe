import asyncio as aio
import logging
import time

log = logging.getLogger(__name__)


class BatchWriter:
    """Buffers rows and writes them to ClickHouse in batches."""

    def __init__(self, client, table, batch_size=500, flush_every=2.0):
        self.client = client
        self.table = table
        self.batch_size = batch_size
        self.flush_every = flush_every
        self.buffer = []
        self._last_flush = time.monotonic()

    def add(self, row):
        self.buffer.append(row)

    async def _flush(self):
        rows, self.buffer = self.buffer, []
        if rows:
            await self.client.insert(self.table, rows)
        self._last_flush = time.monotonic()

    async def wait_for_batch(self):
        while len(self.buffer) < self.batch_size:  # bug: ADC503
            await aio.sleep(0.01)
        await self._flush()

    def start(self):
        aio.create_task(self.run_periodic())  # bug: ADC301

    async def run_periodic(self):
        # periodic flush: real work every tick, not a busy wait
        while True:
            await aio.sleep(self.flush_every)
            if self.buffer:
                await self._flush()
