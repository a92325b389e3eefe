from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import AirSenseClient, AirSenseError
from .const import SCAN_INTERVAL_SECONDS

_LOGGER = logging.getLogger(__name__)


class AirSenseCoordinator(DataUpdateCoordinator[dict[str, Any]]):
    def __init__(self, hass: HomeAssistant, client: AirSenseClient) -> None:
        super().__init__(
            hass,
            _LOGGER,
            name="airsense",
            update_interval=timedelta(seconds=SCAN_INTERVAL_SECONDS),
        )
        self.client = client

    async def _async_update_data(self) -> dict[str, Any]:
        try:
            return await self.client.measurements()
        except (AirSenseError, aiohttp.ClientError) as err:
            raise UpdateFailed(str(err)) from err

    async def listen_for_events(self) -> None:
        backoff = 1
        while True:
            try:
                async for event in self.client.events():
                    backoff = 1
                    merged = {**(self.data or {}), **event.get("values", {})}
                    self.async_set_updated_data(merged)
            except (AirSenseError, aiohttp.ClientError, asyncio.TimeoutError) as err:
                _LOGGER.debug("event stream dropped (%s), retrying in %ss", err, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 300)
