"""The depot's 24 pantograph chargers, all behind one site controller."""
from __future__ import annotations

import asyncio
import logging

import aiohttp

log = logging.getLogger(__name__)


class ChargerBank:
    def __init__(self, session: aiohttp.ClientSession, controller_url: str) -> None:
        self._http = session
        self._url = controller_url.rstrip("/")
        self.clocks_synced = False

    async def sync_clocks(self) -> None:
        """Push depot time to every charger; the controller fans it out itself."""
        async with self._http.post(f"{self._url}/time/sync") as resp:
            resp.raise_for_status()
        self.clocks_synced = True
        log.info("charger clocks synced")

    async def status(self, charger: str) -> dict:
        async with self._http.get(f"{self._url}/chargers/{charger}") as resp:
            resp.raise_for_status()
            return await resp.json()

    async def upload_plan(self, plan: dict[str, dict]) -> None:
        """One PUT replaces the whole night's charging profile set."""
        body = [{"vehicle": bus, **entry} for bus, entry in plan.items()]
        async with self._http.put(f"{self._url}/profiles", json=body) as resp:
            resp.raise_for_status()

    async def wait_charging(self, charger: str, timeout: float = 120) -> None:
        """A charger reports 'Charging' once its pantograph has made contact."""
        async with asyncio.timeout(timeout):
            while (await self.status(charger))["state"] != "Charging":
                await asyncio.sleep(3)
