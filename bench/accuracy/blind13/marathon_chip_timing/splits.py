"""Pushes splits to the live tracking site that the spectators' app reads."""
from __future__ import annotations

import aiohttp

from .results import Passing

TRACKING = "https://live.riverside-marathon.example"


async def publish_split(session: aiohttp.ClientSession, race_id: str, p: Passing) -> None:
    body = {"chip": p.chip, "mat": p.mat, "t": p.at_ms}
    async with session.post(f"/api/races/{race_id}/splits", json=body) as resp:
        resp.raise_for_status()


async def publish_leader(session: aiohttp.ClientSession, race_id: str, p: Passing) -> None:
    async with session.put(f"/api/races/{race_id}/leader", json={"chip": p.chip, "mat": p.mat}) as resp:
        resp.raise_for_status()


async def publish_batch(session: aiohttp.ClientSession, race_id: str, passings: list[Passing]) -> int:
    body = [{"chip": p.chip, "mat": p.mat, "t": p.at_ms} for p in passings]
    async with session.post(f"/api/races/{race_id}/splits:batch", json=body) as resp:
        resp.raise_for_status()
        return (await resp.json())["accepted"]
