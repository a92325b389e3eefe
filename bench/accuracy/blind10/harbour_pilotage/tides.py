"""Tidal height predictions from the hydrographic office API."""
import asyncio
import os
from datetime import datetime

import httpx

API = "https://tidalapi.hydro.example/uktidalapi/api/V1"
HEADERS = {"Ocp-Apim-Subscription-Key": os.environ.get("TIDAL_API_KEY", "")}
STATION = "0065"  # harbour entrance gauge


async def height_at(client: httpx.AsyncClient, station: str, when: datetime) -> float:
    resp = await client.get(f"{API}/Stations/{station}/TidalHeight", params={"dateTime": when.isoformat()})
    resp.raise_for_status()
    return float(resp.json()["Height"])


async def high_waters(client: httpx.AsyncClient, station: str, days: int = 2) -> list[dict]:
    resp = await client.get(f"{API}/Stations/{station}/TidalEvents", params={"duration": days})
    resp.raise_for_status()
    return [e for e in resp.json() if e["EventType"] == "HighWater"]


def height_at_sync(station: str, when: datetime) -> float:
    """For the roster CLI and the harbour master's spreadsheet export."""

    async def _one() -> float:
        async with httpx.AsyncClient(headers=HEADERS, timeout=15) as client:
            return await height_at(client, station, when)

    return asyncio.run(_one())
