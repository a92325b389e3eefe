"""Loads vendor driver modules for a multi-vendor thermostat hub."""
from __future__ import annotations

import asyncio
import importlib
import logging
from types import ModuleType

_LOGGER = logging.getLogger(__name__)

DRIVER_PACKAGE = "thermohub.drivers"


class DriverRegistry:
    def __init__(self, hass, default_vendor: str = "generic") -> None:
        self.hass = hass
        self._default_vendor = default_vendor
        self._modules: dict[str, ModuleType] = {}
        self._hub = None
        self._setup_done = False

    async def async_preload_default(self) -> None:
        self._modules[self._default_vendor] = await self.hass.async_add_executor_job(
            importlib.import_module, f"{DRIVER_PACKAGE}.{self._default_vendor}"
        )

    async def async_get_driver(self, vendor: str) -> ModuleType:
        module = self._modules.get(vendor)
        if module is None:
            module = importlib.import_module(f"{DRIVER_PACKAGE}.{vendor}")  # bug: ADC101
            self._modules[vendor] = module
        return module

    async def async_start_hub(self, hub_info: dict) -> None:
        try:
            driver = await self.async_get_driver(hub_info.get("vendor", self._default_vendor))
            self._hub = driver.Hub(hub_info["address"], port=hub_info.get("port", 5683))
            await self._hub.async_connect()
        finally:
            self._setup_done = True

    async def async_wait_ready(self, timeout: float = 30.0) -> bool:
        waited = 0.0
        while not self._setup_done:  # bug: ADC503
            if waited >= timeout:
                return False
            await asyncio.sleep(0.25)
            waited += 0.25
        return self._hub is not None

    @property
    def hub(self):
        return self._hub
