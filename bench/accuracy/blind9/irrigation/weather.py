"""Rain forecast per block from Open-Meteo."""
from __future__ import annotations

from dataclasses import dataclass

import aiohttp

FORECAST_URL = "https://api.open-meteo.com/v1/forecast"


@dataclass(frozen=True)
class Zone:
    name: str
    valve_id: int
    lat: float
    lon: float
    minutes: int


async def rain_next_24h(zone: Zone) -> float:
    params = {"latitude": zone.lat, "longitude": zone.lon, "hourly": "precipitation", "forecast_days": 1}
    async with aiohttp.ClientSession() as session:  # bug: ADC402
        async with session.get(FORECAST_URL, params=params) as resp:
            resp.raise_for_status()
            data = await resp.json()
    return float(sum(data["hourly"]["precipitation"]))


async def soil_moisture(session: aiohttp.ClientSession, probe_url: str) -> float:
    async with session.get(probe_url) as resp:
        return float((await resp.json())["vwc"])
