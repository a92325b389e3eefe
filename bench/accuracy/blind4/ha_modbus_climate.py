"""Climate platform for a Modbus heat pump (Home Assistant custom component)."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from homeassistant.components.climate import ClimateEntity, HVACMode
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from pymodbus.client import ModbusTcpClient

_LOGGER = logging.getLogger(__name__)

SCAN_INTERVAL = timedelta(seconds=30)
REG_SETPOINT = 40010
REG_CURRENT = 40012
REG_MODE = 40020


async def async_setup_entry(hass: HomeAssistant, entry, async_add_entities):
    client = ModbusTcpClient(entry.data["host"], port=entry.data.get("port", 502))
    await hass.async_add_executor_job(client.connect)
    async_add_entities([HeatPumpClimate(hass, client, entry.entry_id)])


class HeatPumpClimate(ClimateEntity):
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_hvac_modes = [HVACMode.OFF, HVACMode.HEAT]

    def __init__(self, hass: HomeAssistant, client: ModbusTcpClient, uid: str) -> None:
        self.hass = hass
        self._client = client
        self._attr_unique_id = f"{uid}-climate"
        self._write_lock = asyncio.Lock()

    async def async_update(self) -> None:
        rr = self._client.read_holding_registers(REG_CURRENT, count=2, slave=1)  # bug: ADC101
        if rr.isError():
            _LOGGER.warning("read failed: %s", rr)
            return
        self._attr_current_temperature = rr.registers[0] / 10
        self._attr_target_temperature = rr.registers[1] / 10

    async def async_set_temperature(self, **kwargs) -> None:
        value = int(kwargs["temperature"] * 10)
        async with self._write_lock:
            await self.hass.async_add_executor_job(
                self._client.write_register, REG_SETPOINT, value, 1
            )
        asyncio.ensure_future(self._refresh_after_write())  # bug: ADC301

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        mode = 1 if hvac_mode == HVACMode.HEAT else 0
        async with self._write_lock:
            await self.hass.async_add_executor_job(
                self._client.write_register, REG_MODE, mode, 1
            )
        self.hass.async_create_task(self._refresh_after_write())

    async def _refresh_after_write(self) -> None:
        await asyncio.sleep(2)
        await self.async_update()
        self.async_write_ha_state()
