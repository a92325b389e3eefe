"""Door relays on a Modbus TCP I/O board: coil on releases the maglock."""
from __future__ import annotations

import asyncio

from pymodbus.client import AsyncModbusTcpClient

DOORS = {
    "street": {"coil": 0, "zone": "lobby"},
    "lift-lobby-2": {"coil": 1, "zone": "floor2"},
    "studio": {"coil": 2, "zone": "studio"},
    "roof": {"coil": 3, "zone": "roof"},
}


class RelayBoard:
    def __init__(self, host: str) -> None:
        self.client = AsyncModbusTcpClient(host, port=502)
        self._bus = asyncio.Lock()  # the board answers one request at a time

    async def _coil(self, coil: int, on: bool) -> None:
        async with self._bus:
            await self.client.write_coil(coil, on)

    async def pulse(self, coil: int, seconds: float = 5) -> None:
        await self._coil(coil, True)
        try:
            await asyncio.sleep(seconds)
        finally:
            await self._coil(coil, False)

    async def hold_open(self, coil: int, minutes: int) -> None:
        """Event mode. The maglock supply can hold at most two doors released."""
        released = asyncio.Semaphore(2)  # bug: ADC504
        async with released:
            await self.pulse(coil, minutes * 60)
