"""Minecraft server admin over RCON: whitelist sync and scheduled restarts."""
import asyncio
import logging
import struct

log = logging.getLogger("rcon")

SERVERDATA_AUTH = 3
SERVERDATA_EXECCOMMAND = 2


def pack(req_id: int, kind: int, body: str) -> bytes:
    payload = struct.pack("<ii", req_id, kind) + body.encode("utf-8") + b"\x00\x00"
    return struct.pack("<i", len(payload)) + payload


class RconClient:
    def __init__(self, host: str, port: int, password: str) -> None:
        self.host = host
        self.port = port
        self.password = password
        self.authenticated = False
        self._reader = None
        self._writer = None
        self._next_id = 1

    async def _read_packet(self) -> tuple[int, int, str]:
        size = struct.unpack("<i", await self._reader.readexactly(4))[0]
        data = await self._reader.readexactly(size)
        req_id, kind = struct.unpack("<ii", data[:8])
        return req_id, kind, data[8:-2].decode("utf-8", "replace")

    async def login(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._writer.write(pack(0, SERVERDATA_AUTH, self.password))
        await self._writer.drain()
        req_id, _, _ = await self._read_packet()
        self.authenticated = req_id != -1

    async def command(self, cmd: str) -> str:
        while not self.authenticated:  # bug: ADC503
            await asyncio.sleep(0.1)
        self._next_id += 1
        self._writer.write(pack(self._next_id, SERVERDATA_EXECCOMMAND, cmd))
        await self._writer.drain()
        _, _, body = await self._read_packet()
        return body

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


async def server_online(host: str, port: int = 25565) -> bool:
    reader, writer = await asyncio.open_connection(host, port)  # bug: ADC401
    writer.write(b"\xfe\x01")
    await writer.drain()
    head = await reader.read(1)
    return head == b"\xff"


async def sync_whitelist(rcon: RconClient, wanted: set[str]) -> None:
    current = await rcon.command("whitelist list")
    names = set(current.partition(":")[2].replace(" ", "").split(",")) - {""}
    # whitelist edits must land one after the other on the console
    for name in sorted(wanted - names):
        log.info("whitelisting %s: %s", name, await rcon.command(f"whitelist add {name}"))


async def main() -> None:
    rcon = RconClient("mc.internal", 25575, "s3cret")
    if not await server_online("mc.internal"):
        log.warning("server is down, skipping")
        return
    login = asyncio.create_task(rcon.login())
    try:
        await sync_whitelist(rcon, {"alice", "bob", "carol"})
        await login
    finally:
        await rcon.close()


if __name__ == "__main__":
    asyncio.run(main())
