"""The Sunways solar inverter integration."""
from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ConfigEntryNotReady

from .api import InverterApi, InverterError
from .coordinator import InverterCoordinator

_LOGGER = logging.getLogger(__name__)

DOMAIN = "sunways"
PLATFORMS: list[Platform] = [Platform.NUMBER]


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    api = InverterApi(entry.data[CONF_HOST], entry.data[CONF_PASSWORD])
    try:
        await hass.async_add_executor_job(api.login)
    except InverterError as err:
        raise ConfigEntryNotReady(f"Cannot reach inverter: {err}") from err

    coordinator = InverterCoordinator(hass, api)
    await coordinator.async_config_entry_first_refresh()

    hass.data.setdefault(DOMAIN, {})[entry.entry_id] = coordinator

    def _push_from_thread(payload: dict) -> None:
        hass.loop.call_soon_threadsafe(coordinator.async_set_updated_data, payload)

    api.start_push_listener(_push_from_thread)
    entry.async_on_unload(api.stop_push_listener)

    async def handle_force_refresh(call: ServiceCall) -> None:
        _LOGGER.debug("Forced refresh requested by %s", call.context.user_id)
        await coordinator.async_refresh()

    hass.services.async_register(DOMAIN, "force_refresh", handle_force_refresh)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        coordinator: InverterCoordinator = hass.data[DOMAIN].pop(entry.entry_id)
        await hass.async_add_executor_job(coordinator.api.logout)
    return unloaded
