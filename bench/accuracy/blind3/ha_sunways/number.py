"""Export limit control for Sunways inverters."""
from __future__ import annotations

from homeassistant.components.number import NumberEntity, NumberMode
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import InverterCoordinator

DOMAIN = "sunways"


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    coordinator: InverterCoordinator = hass.data[DOMAIN][entry.entry_id]
    async_add_entities([ExportLimitNumber(coordinator, entry.entry_id)])


class ExportLimitNumber(CoordinatorEntity, NumberEntity):
    _attr_has_entity_name = True
    _attr_translation_key = "export_limit"
    _attr_native_min_value = 0
    _attr_native_max_value = 10000
    _attr_native_step = 100
    _attr_mode = NumberMode.BOX
    _attr_native_unit_of_measurement = UnitOfPower.WATT

    def __init__(self, coordinator: InverterCoordinator, entry_id: str) -> None:
        super().__init__(coordinator)
        self._inverter: InverterCoordinator = coordinator
        self._attr_unique_id = f"{entry_id}_export_limit"

    @property
    def native_value(self) -> float | None:
        data = self._inverter.data or {}
        return data.get("realtime", {}).get("export_limit")

    async def async_set_native_value(self, value: float) -> None:
        self._inverter.async_set_export_limit(int(value))  # bug: ADC201
        self.async_write_ha_state()
