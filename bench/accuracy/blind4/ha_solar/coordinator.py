from __future__ import annotations

import logging
from datetime import timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import GatewayClient, InverterError, read_inverter

_LOGGER = logging.getLogger(__name__)


class SolarFleetCoordinator(DataUpdateCoordinator[dict[str, dict]]):
    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        super().__init__(hass, _LOGGER, name="solarfleet", update_interval=timedelta(seconds=30))
        self._host = entry.data["host"]
        self._gateway = GatewayClient(async_get_clientsession(hass), self._host)
        self._inverters: dict[str, str] | None = None

    async def _async_update_data(self) -> dict[str, dict]:
        if self._inverters is None:
            self._inverters = await self._gateway.inverters()
        data: dict[str, dict] = {}
        try:
            for serial, ip in self._inverters.items():
                data[serial] = await read_inverter(ip, serial)  # bug: ADC501
        except InverterError as err:
            raise UpdateFailed(str(err)) from err
        return data
