import asyncio
import math
from datetime import datetime

import httpx

STATION = "https://agromet.example.org/api/stations/NL-0412"


async def ambient(client: httpx.AsyncClient) -> tuple[float, float, datetime]:
    resp = await client.get(f"{STATION}/latest")
    resp.raise_for_status()
    obs = resp.json()
    return obs["temp_c"], obs["rh_pct"], datetime.fromisoformat(obs["observed_at"])


async def fresh_observation(client: httpx.AsyncClient, after: datetime, limit_s: float = 900):
    """The station publishes every 10 minutes; wait for one newer than `after`."""
    async with asyncio.timeout(limit_s):
        while True:
            temp, rh, seen = await ambient(client)
            if seen > after:
                return temp, rh, seen
            await asyncio.sleep(60)


def emc_wheat(temp_c: float, rh_pct: float) -> float:
    """Equilibrium moisture content (modified Chung-Pfost, hard red wheat)."""
    a, b, c = 726.49, 0.17675, 36.242
    rh = min(max(rh_pct / 100.0, 0.05), 0.95)
    return -math.log(-(temp_c + c) * math.log(rh) / a) / b
