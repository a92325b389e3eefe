"""Hamlib rotctld over TCP and an rtl_fm recorder."""
import asyncio


class Rotator:
    def __init__(self, host: str = "127.0.0.1", port: int = 4533) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> "Rotator":
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *exc) -> None:
        self._writer.close()
        await self._writer.wait_closed()

    async def point(self, az: float, el: float) -> None:
        self._writer.write(f"P {az:.1f} {max(el, 0.0):.1f}\n".encode())
        await self._writer.drain()
        await self._reader.readline()


async def record(freq_hz: int, seconds: float, path: str) -> int:
    proc = await asyncio.create_subprocess_shell(
        f"timeout {int(seconds)} rtl_fm -f {freq_hz} -s 48k -g 40 - | sox -t raw -r 48k -e s -b 16 -c 1 - {path}"
    )
    return await proc.wait()
