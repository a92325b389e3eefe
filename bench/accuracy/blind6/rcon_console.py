"""Interactive RCON console for a Minecraft server, with a scripted warm-up."""
import asyncio
import contextlib
import getpass
import struct
import sys

AUTH, EXEC = 3, 2
WARMUP = ("gamerule doDaylightCycle true", "difficulty normal", "say Server maintenance finished")


def packet(req_id: int, kind: int, body: str) -> bytes:
    data = struct.pack("<ii", req_id, kind) + body.encode() + b"\x00\x00"
    return struct.pack("<i", len(data)) + data


class Console:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.req = 0
        self._io = asyncio.Lock()  # keepalive and the prompt share one socket

    async def send(self, kind: int, body: str) -> tuple[int, str]:
        async with self._io:
            self.req += 1
            self.writer.write(packet(self.req, kind, body))
            await self.writer.drain()
            size = struct.unpack("<i", await self.reader.readexactly(4))[0]
            data = await self.reader.readexactly(size)
        req_id = struct.unpack("<i", data[:4])[0]
        return req_id, data[8:-2].decode(errors="replace")

    async def keepalive(self) -> None:
        while True:
            await asyncio.sleep(30)
            await self.send(EXEC, "list")


async def session(host: str, port: int, password: str) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    console = Console(reader, writer)
    ping = None
    try:
        req_id, _ = await console.send(AUTH, password)
        if req_id == -1:
            raise SystemExit("bad RCON password")
        # warm-up commands depend on each other's effects, so they go in order
        for cmd in WARMUP:
            print(">", cmd, "\n", (await console.send(EXEC, cmd))[1])
        ping = asyncio.create_task(console.keepalive())
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line or line.strip() in ("quit", "exit"):
                break
            print((await console.send(EXEC, line.strip()))[1])
    except asyncio.CancelledError:
        print("\ninterrupted")
        raise
    finally:
        if ping is not None:
            ping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ping
        writer.close()
        await writer.wait_closed()


if __name__ == "__main__":
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    secret = getpass.getpass("RCON password: ")
    asyncio.run(session(host, 25575, secret))
