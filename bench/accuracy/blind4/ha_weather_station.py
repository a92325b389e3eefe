"""Weather station integration: a sync vendor SDK wrapped for Home Assistant."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

import pyweatherlink  # sync SDK, uses requests under the hood

_LOGGER = logging.getLogger(__name__)


class StationCoordinator(DataUpdateCoordinator[dict]):
    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        super().__init__(hass, _LOGGER, name="weatherlink", update_interval=timedelta(minutes=1))
        self._sdk = pyweatherlink.Station(entry.data["host"], entry.data["api_key"])
        self._session = async_get_clientsession(hass)
        self._forecast_url = entry.data["forecast_url"]
        self._lock = asyncio.Lock()

    async def _async_update_data(self) -> dict:
        async with self._lock:
            try:
                current = await self.hass.async_add_executor_job(self._sdk.current_conditions)
            except pyweatherlink.StationError as err:
                raise UpdateFailed(err) from err
            async with self._session.get(self._forecast_url, timeout=15) as resp:
                forecast = await resp.json() if resp.status == 200 else {}
        return {"current": current, "forecast": forecast}

    async def async_reset_rain(self) -> None:
        async with self._lock:
            await self.hass.async_add_executor_job(self._sdk.reset_rain_counter)
        self.hass.async_create_task(self.async_request_refresh())

    @callback
    def async_handle_push(self, payload: dict) -> None:
        self.async_set_updated_data({**(self.data or {}), "current": payload})


def station_info_sync(host: str, api_key: str) -> dict:
    """Used by the config flow through async_add_executor_job."""
    return pyweatherlink.Station(host, api_key).info()


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    coordinator = StationCoordinator(hass, entry)
    await coordinator.async_config_entry_first_refresh()
    info = await hass.async_add_executor_job(station_info_sync, entry.data["host"], entry.data["api_key"])
    _LOGGER.debug("station firmware %s", info.get("firmware"))
    entry.runtime_data = coordinator
    return True
