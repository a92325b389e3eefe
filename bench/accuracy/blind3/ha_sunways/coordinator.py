"""Data update coordinator for Sunways inverters."""
from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import InverterApi, InverterError

_LOGGER = logging.getLogger(__name__)

EXPORT_LIMIT_REGISTER = 0x1F40


class InverterCoordinator(DataUpdateCoordinator[dict[str, Any]]):
    def __init__(self, hass: HomeAssistant, api: InverterApi) -> None:
        super().__init__(
            hass, _LOGGER, name="sunways", update_interval=timedelta(seconds=30)
        )
        self.api = api
        self._device: dict[str, Any] | None = None

    async def _async_update_data(self) -> dict[str, Any]:
        try:
            realtime = await self.hass.async_add_executor_job(self.api.read_realtime)
            if self._device is None:
                self._device = self.api.read_device_info()  # bug: ADC101
        except InverterError as err:
            raise UpdateFailed(str(err)) from err
        return {"realtime": realtime, "device": self._device}

    async def async_set_export_limit(self, watts: int) -> None:
        await self.hass.async_add_executor_job(
            self.api.write_register, EXPORT_LIMIT_REGISTER, watts
        )
        await self.async_request_refresh()
