"""A service that probes its own control port with a synchronous socket client."""
import asyncio
import socket


class ControlServer:
    def __init__(self):
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            line = await reader.readline()
            if line.strip() == b"PING":
                writer.write(b"PONG\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError:
                pass

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()


def probe(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.settimeout(0.115)
        sock.sendall(b"PING\n")
        try:
            return sock.recv(64).decode().strip()  # EXPECT: blocking-call 115ms
        except TimeoutError:
            return "timeout"


async def main():
    control = ControlServer()
    await control.start()
    print("control server up")
    status = probe(control.port)
    print("self probe:", status)
    await asyncio.sleep(0.05)
    await control.stop()
    print("control server down")


if __name__ == "__main__":
    asyncio.run(main())
