"""Ships StatsD-style lines to the metrics relay over a persistent TCP connection."""

import asyncio
import logging
import time

log = logging.getLogger(__name__)


class MetricsShipper:
    def __init__(self, host="metrics-relay", port=2003):
        self.host = host
        self.port = port
        self._reader = None
        self._writer = None

    async def connect(self):
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def send(self, name, value, ts=None):
        line = f"{name} {value} {int(ts or time.time())}\n"
        self._writer.write(line.encode())
        self._writer.drain()  # bug: ADC201

    async def send_many(self, points):
        # one write and one drain for the whole batch, in order
        payload = "".join(f"{n} {v} {int(t)}\n" for n, v, t in points)
        self._writer.write(payload.encode())
        await self._writer.drain()

    async def run_flusher(self, source, every=10.0):
        try:
            while True:
                await asyncio.sleep(every)
                await self.send_many(source.drain_points())
        except asyncio.CancelledError:  # bug: ADC601
            await self.close()
            return

    async def close(self):
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()
            self._writer = None
