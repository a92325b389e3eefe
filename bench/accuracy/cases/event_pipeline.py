"""In-process event pipeline: producers push events, a consumer batches them to the sink."""

import asyncio
import logging
import time

logger = logging.getLogger(__name__)


class Pipeline:
    def __init__(self, sink, batch_size=100, max_wait=1.0):
        self.sink = sink
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.events = asyncio.Queue(maxsize=10_000)
        self._consumer = None

    async def publish(self, kind, **data):
        event = {"kind": kind, "ts": time.time(), **data}
        self.events.put(event)  # bug: ADC201

    async def publish_many(self, events):
        for event in events:
            await self.events.put(event)

    async def _consume(self):
        while True:
            batch = [await self.events.get()]
            deadline = time.monotonic() + self.max_wait
            while len(batch) < self.batch_size:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self.events.get(), timeout))
                except asyncio.TimeoutError:
                    break
            await self.sink.write_batch(batch)
            for _ in batch:
                self.events.task_done()

    def start(self):
        self._consumer = asyncio.create_task(self._consume())

    async def stop(self):
        await self.events.join()
        self._consumer.cancel()
        try:
            await self._consumer
        except asyncio.CancelledError:
            pass
