"""A minimal StatsD-style UDP metrics client (r04)."""
import asyncio


class _Sender(asyncio.DatagramProtocol):
    def error_received(self, exc):
        pass


class StatsClient:
    def __init__(self, host: str, port: int, prefix: str):
        self.addr = (host, port)
        self.prefix = prefix
        self.transport: asyncio.DatagramTransport | None = None

    async def connect(self):
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_datagram_endpoint(_Sender, remote_addr=self.addr)  # EXPECT: unclosed-resource

    def incr(self, name: str, value: int = 1):
        self.transport.sendto(f"{self.prefix}.{name}:{value}|c".encode())

    def close(self):
        if self.transport is not None:
            self.transport.close()
