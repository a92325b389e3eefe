"""ASCOM Alpaca camera over REST (the camera runs on the pier PC)."""
from __future__ import annotations

import asyncio

import aiohttp


class AlpacaCamera:
    def __init__(self, session: aiohttp.ClientSession, base: str, device: int = 0) -> None:
        self.session = session
        self.url = f"{base}/api/v1/camera/{device}"
        self._tx = 0

    async def _put(self, action: str, **params) -> dict:
        self._tx += 1
        data = {**params, "ClientID": 7, "ClientTransactionID": self._tx}
        async with self.session.put(f"{self.url}/{action}", data=data) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def _get(self, prop: str) -> dict:
        async with self.session.get(f"{self.url}/{prop}") as resp:
            resp.raise_for_status()
            return await resp.json()

    async def expose(self, seconds: float, light: bool = True) -> None:
        await self._put("startexposure", Duration=seconds, Light=str(light).lower())
        await asyncio.sleep(seconds)
        # The camera finishes read-out on its own; poll the device until it reports ready.
        async with asyncio.timeout(seconds + 120):
            while not (await self._get("imageready"))["Value"]:
                await asyncio.sleep(1.0)

    async def download(self) -> bytes:
        async with self.session.get(f"{self.url}/imagearray", headers={"Accept": "application/imagebytes"}) as resp:
            resp.raise_for_status()
            return await resp.read()
