from __future__ import annotations

import aiohttp


class InverterError(Exception):
    pass


async def read_inverter(ip: str, serial: str) -> dict:
    """Each inverter runs its own small web server on the LAN."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:  # bug: ADC402
        async with session.get(f"http://{ip}/api/live") as resp:
            if resp.status != 200:
                raise InverterError(f"{serial}: HTTP {resp.status}")
            data = await resp.json()
    return {"power": data["pac"], "energy_today": data["e_day"], "temp": data.get("t_int")}


class GatewayClient:
    def __init__(self, session: aiohttp.ClientSession, host: str) -> None:
        self._session = session
        self._host = host

    async def inverters(self) -> dict[str, str]:
        async with self._session.get(f"http://{self._host}/api/inverters") as resp:
            resp.raise_for_status()
            return {i["serial"]: i["ip"] for i in await resp.json()}
