"""Tidal windows from the port authority's tide prediction service.

Deep-draught ships can only cross the bar when the predicted height of
tide gives them the under-keel clearance the harbour master requires.
"""
import datetime as dt

import aiohttp

TIDE_API = "https://tides.portauthority.example/api/v2"
BAR_DEPTH_M = 7.4
UKC_RATIO = 0.12


async def tide_table(session: aiohttp.ClientSession, day: dt.date) -> list[dict]:
    async with session.get(f"{TIDE_API}/stations/bar/predictions", params={"date": day.isoformat()}) as resp:
        resp.raise_for_status()
        return (await resp.json())["heights"]


async def window_for(draught_m: float, eta: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    needed = draught_m * (1 + UKC_RATIO) - BAR_DEPTH_M
    params = {"from": eta.isoformat(), "hours": 12, "min_height": round(needed, 2)}
    async with aiohttp.ClientSession() as session:  # bug: ADC402
        async with session.get(f"{TIDE_API}/stations/bar/windows", params=params) as resp:
            resp.raise_for_status()
            windows = (await resp.json())["windows"]
    if not windows:
        return None
    first = windows[0]
    return dt.datetime.fromisoformat(first["start"]), dt.datetime.fromisoformat(first["end"])
