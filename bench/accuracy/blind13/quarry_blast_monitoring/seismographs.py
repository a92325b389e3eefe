"""Event records from the seismograph vendor's cloud (one unit per house)."""
from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta

import aiohttp

VENDOR = "https://cloud.vibemon.example/api/v3"
WINDOW = timedelta(minutes=3)


def _headers() -> dict[str, str]:
    return {"X-Api-Key": os.environ["VIBEMON_KEY"]}


async def pull_event(session: aiohttp.ClientSession, unit: str, fired_at: datetime) -> dict | None:
    """The strongest record a unit triggered within three minutes of the blast."""
    params = {
        "unit": unit,
        "from": (fired_at - WINDOW).isoformat(),
        "to": (fired_at + WINDOW).isoformat(),
    }
    async with session.get(f"{VENDOR}/events", params=params, headers=_headers()) as resp:
        resp.raise_for_status()
        events = await resp.json()
    return max(events, key=lambda e: e["ppv_mm_s"]) if events else None


async def recompute_ppv(session: aiohttp.ClientSession, record_id: str) -> dict:
    """Asks the vendor to re-filter a stored waveform (takes a few seconds)."""
    body = {"filter": "BS7385", "air_overpressure": True}
    url = f"{VENDOR}/events/{record_id}/reprocess"
    async with session.post(url, json=body, headers=_headers()) as resp:
        resp.raise_for_status()
        return await resp.json()


def pull_event_sync(unit: str, fired_at: datetime) -> dict | None:
    """For the regulator's spreadsheet macro, which calls us from plain Python."""

    async def _one() -> dict | None:
        async with aiohttp.ClientSession() as session:
            return await pull_event(session, unit, fired_at)

    return asyncio.run(_one())
