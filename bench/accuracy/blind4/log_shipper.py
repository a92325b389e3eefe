"""Tail local log files and ship them to a TCP collector, newline-delimited JSON."""
import asyncio
import json
import logging
import socket
from pathlib import Path

log = logging.getLogger("shipper")
HOSTNAME = socket.gethostname()


class Shipper:
    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port
        self._writer: asyncio.StreamWriter | None = None
        self._buffer: list[dict] = []

    async def connect(self) -> None:
        _, self._writer = await asyncio.open_connection(self.host, self.port)

    async def send_batch(self) -> int:
        if not self._buffer:
            return 0
        batch, self._buffer = self._buffer, []
        for rec in batch:
            self._writer.write((json.dumps(rec) + "\n").encode())
        self._writer.drain()  # bug: ADC201
        return len(batch)

    async def flush_loop(self, every: float = 2.0) -> None:
        while True:
            try:
                await asyncio.sleep(every)
                sent = await self.send_batch()
                log.debug("shipped %d", sent)
            finally:
                if self._writer.is_closing():
                    return  # bug: ADC601

    def flush_now(self) -> None:
        """Synchronous flush used by the logging.Handler at shutdown."""
        asyncio.run(self.send_batch())

    async def tail(self, path: Path) -> None:
        fh = await asyncio.to_thread(path.open)
        try:
            await asyncio.to_thread(fh.seek, 0, 2)
            while True:
                line = await asyncio.to_thread(fh.readline)
                if not line:
                    await asyncio.sleep(0.5)  # file is appended to by another process
                    continue
                self._buffer.append({"host": HOSTNAME, "file": path.name, "line": line.rstrip()})
                if len(self._buffer) > 500:
                    self.flush_now()  # bug: ADC103
        finally:
            fh.close()

    async def close(self) -> None:
        if self._writer:
            self._writer.close()
            await self._writer.wait_closed()
