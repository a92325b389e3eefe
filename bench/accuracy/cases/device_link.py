import asyncio
import logging
from asyncio import sleep

log = logging.getLogger(__name__)


class DeviceLink:
    """Serial-over-TCP link to a lab instrument; reconnects in the background."""

    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.connected = False
        self.reader = None
        self.writer = None
        self._supervisor = None

    async def _connect_forever(self):
        while True:
            try:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.connected = True
                await self.writer.wait_closed()  # returns when the device goes away
            except OSError as exc:
                log.warning("device link error: %s", exc)
            self.connected = False
            if self.writer is not None:
                self.writer.close()
            await sleep(2)

    def start(self):
        self._supervisor = asyncio.create_task(self._connect_forever())

    def stop(self):
        if self._supervisor is not None:
            self._supervisor.cancel()
        if self.writer is not None:
            self.writer.close()
            self.writer.wait_closed()  # bug: ADC201

    async def command(self, text):
        while True:  # bug: ADC503
            if self.connected:
                break
            await sleep(0.2)
        self.writer.write(text.encode() + b"\n")
        await self.writer.drain()
        return (await self.reader.readline()).decode().strip()
