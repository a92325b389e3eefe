"""LX200-style mount control over the serial-to-TCP bridge."""
from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("telescope.mount")


class MountLink:
    def __init__(self, host: str, port: int = 9999) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.io_lock = asyncio.Lock()

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def command(self, cmd: str) -> str:
        async with self.io_lock:
            self.writer.write(f":{cmd}#".encode())
            await self.writer.drain()
            reply = await asyncio.wait_for(self.reader.readuntil(b"#"), timeout=5)
            return reply.decode().rstrip("#")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def slew(link: MountLink, ra: str, dec: str) -> None:
    await link.command(f"Sr{ra}")
    await link.command(f"Sd{dec}")
    await link.command("MS")


async def park(link: MountLink) -> None:
    log.warning("parking mount")
    await link.command("hP")
