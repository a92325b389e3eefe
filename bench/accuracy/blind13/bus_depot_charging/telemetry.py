"""State of charge of the parked buses, from the telematics provider."""
from __future__ import annotations

import aiohttp

TELEMATICS = "https://fleet.telematics.example/v1"
BATTERY_KWH = 422.0


async def state_of_charge(session: aiohttp.ClientSession, depot: str) -> dict[str, float]:
    """One bulk call for every bus the provider sees inside the depot fence."""
    params = {"geofence": depot, "fields": "soc,odometer"}
    async with session.get(f"{TELEMATICS}/vehicles", params=params) as resp:
        resp.raise_for_status()
        payload = await resp.json()
    return {v["fleet_no"]: v["soc"] for v in payload["vehicles"] if v.get("soc") is not None}


def energy_needed(soc: float, target: float = 0.95) -> float:
    return max(0.0, (target - soc) * BATTERY_KWH)
