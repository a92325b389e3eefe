"""A tiny line-protocol key/value server and a client that forgets to close one connection."""
import asyncio


class KVServer:
    def __init__(self):
        self.data = {"color": "teal", "size": "XL"}
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        line = (await reader.readline()).decode().strip()
        command, _, key = line.partition(" ")
        reply = self.data.get(key, "-") if command == "GET" else "ERR"
        writer.write(f"{reply}\n".encode())
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()


async def get(port: int, key: str) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {key}\n".encode())
        await writer.drain()
        return (await reader.readline()).decode().strip()
    finally:
        writer.close()
        await writer.wait_closed()


async def get_quick(port: int, key: str) -> str:
    """'Optimised' variant used by the hot path: no close handshake."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)  # EXPECT: unclosed-resource
    writer.write(f"GET {key}\n".encode())
    return (await reader.readline()).decode().strip()


async def main():
    server = KVServer()
    port = await server.start()
    print("color =", await get(port, "color"))
    print("size =", await get_quick(port, "size"))
    print("shape =", await get(port, "shape"))
    await server.stop()
    print("server stopped")


if __name__ == "__main__":
    asyncio.run(main())
