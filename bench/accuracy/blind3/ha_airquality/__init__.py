"""Local air quality monitors (AirSense) for Home Assistant."""
from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import AirSenseClient
from .const import CONF_CA_FILE, DOMAIN
from .coordinator import AirSenseCoordinator
from .tls import build_client_context

_LOGGER = logging.getLogger(__name__)
PLATFORMS = [Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    ssl_context = None
    if ca_file := entry.data.get(CONF_CA_FILE):
        ssl_context = await hass.async_add_executor_job(build_client_context, ca_file)

    client = AirSenseClient(
        async_get_clientsession(hass), entry.data[CONF_HOST], ssl_context=ssl_context
    )
    coordinator = AirSenseCoordinator(hass, client)
    await coordinator.async_config_entry_first_refresh()

    entry.runtime_data = coordinator
    entry.async_create_background_task(
        hass, coordinator.listen_for_events(), name=f"{DOMAIN}_events"
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
