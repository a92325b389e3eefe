from __future__ import annotations

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.const import UnitOfPower
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import SolarFleetCoordinator


async def async_setup_entry(hass, entry, async_add_entities):
    coordinator: SolarFleetCoordinator = entry.runtime_data
    async_add_entities(InverterPower(coordinator, serial) for serial in coordinator.data)


class InverterPower(CoordinatorEntity[SolarFleetCoordinator], SensorEntity):
    _attr_device_class = SensorDeviceClass.POWER
    _attr_native_unit_of_measurement = UnitOfPower.WATT

    def __init__(self, coordinator: SolarFleetCoordinator, serial: str) -> None:
        super().__init__(coordinator)
        self._serial = serial
        self._attr_unique_id = f"{serial}-power"
        self._attr_name = f"Inverter {serial} power"

    @property
    def native_value(self):
        return self.coordinator.data[self._serial]["power"]
