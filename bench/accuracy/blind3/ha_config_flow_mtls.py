"""Config flow for the Vantage gateway (mutual TLS)."""
from __future__ import annotations

import logging
import ssl
from typing import Any

import aiohttp
import voluptuous as vol
from homeassistant import config_entries
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.helpers.aiohttp_client import async_get_clientsession

_LOGGER = logging.getLogger(__name__)

DOMAIN = "vantage_gw"
CONF_CERT = "client_cert"
CONF_KEY = "client_key"
CONF_CA = "ca_cert"

STEP_USER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_HOST): str,
        vol.Optional(CONF_PORT, default=8443): int,
        vol.Required(CONF_CERT): str,
        vol.Required(CONF_KEY): str,
        vol.Optional(CONF_CA): str,
    }
)


class CannotConnect(Exception):
    pass


class VantageConfigFlow(config_entries.ConfigFlow, domain=DOMAIN):
    VERSION = 1

    async def _async_try_connect(self, data: dict[str, Any]) -> str:
        ctx = ssl.create_default_context(cafile=data.get(CONF_CA))  # bug: ADC101
        ctx.load_cert_chain(data[CONF_CERT], data[CONF_KEY])  # bug: ADC101
        session = async_get_clientsession(self.hass)
        url = f"https://{data[CONF_HOST]}:{data[CONF_PORT]}/api/info"
        try:
            async with session.get(url, ssl=ctx, timeout=aiohttp.ClientTimeout(total=10)) as resp:
                resp.raise_for_status()
                info = await resp.json()
        except (aiohttp.ClientError, TimeoutError) as err:
            raise CannotConnect from err
        return info["serial"]

    async def async_step_user(self, user_input: dict[str, Any] | None = None):
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                serial = await self._async_try_connect(user_input)
            except CannotConnect:
                errors["base"] = "cannot_connect"
            except (ssl.SSLError, OSError):
                errors["base"] = "invalid_certificate"
            else:
                await self.async_set_unique_id(serial)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=f"Vantage {serial}", data=user_input)
        return self.async_show_form(step_id="user", data_schema=STEP_USER_SCHEMA, errors=errors)
