"""Log shipping agent: tail local files, batch lines, ship them to every configured sink."""
import asyncio
import logging
import socket

import aiofiles

log = logging.getLogger("agent")


class SinkError(Exception):
    pass


class LogAgent:
    def __init__(self, paths, sinks, max_batch=500):
        self.paths = paths
        self.sinks = sinks  # e.g. LokiSink, OpenSearchSink, ArchiveSink
        self.max_batch = max_batch
        self.hostname = socket.gethostname()
        self._buffer: list[dict] = []
        self._retry: list[dict] = []
        self.stats = {"lines": 0, "batches": 0, "failed": 0}

    async def tail(self, path):
        async with aiofiles.open(path, "r") as f:
            await f.seek(0, 2)
            while True:
                line = await f.readline()
                if not line:
                    await asyncio.sleep(0.5)  # the file is written by another process
                    continue
                self._buffer.append({"host": self.hostname, "file": path, "line": line.rstrip("\n")})
                self.stats["lines"] += 1

    async def next_batch(self):
        while not self._buffer and not self._retry:  # bug: ADC503
            await asyncio.sleep(0.05)
        pending = self._retry + self._buffer
        batch, rest = pending[: self.max_batch], pending[self.max_batch :]
        self._retry, self._buffer = [], rest
        return batch

    async def ship(self, batch):
        try:
            for sink in self.sinks:
                await sink.write(batch)  # bug: ADC501
        except SinkError:
            log.warning("sink failed, keeping %d lines for retry", len(batch))
            self.stats["failed"] += 1
            self._retry = batch + self._retry

    async def flush_loop(self, stop: asyncio.Event):
        while True:
            batch = await self.next_batch()
            try:
                await self.ship(batch)
            finally:
                self.stats["batches"] += 1
                if stop.is_set():
                    return  # bug: ADC601

    async def run(self, stop: asyncio.Event):
        tailers = [asyncio.create_task(self.tail(path)) for path in self.paths]
        flusher = asyncio.create_task(self.flush_loop(stop))
        await stop.wait()
        for task in tailers:
            task.cancel()
        await asyncio.gather(*tailers, return_exceptions=True)
        await asyncio.wait_for(flusher, timeout=10)
