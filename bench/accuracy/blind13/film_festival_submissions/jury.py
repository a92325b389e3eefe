"""Picks three jurors per film who have no declared conflict of interest."""
from __future__ import annotations

import random

import httpx


async def conflicts_for(registry: httpx.AsyncClient, juror_id: int, sub: dict) -> list[str]:
    params = {"director": sub["director"], "producer": sub["producer"], "company": sub["company"]}
    resp = await registry.get(f"/jurors/{juror_id}/conflicts", params=params)
    resp.raise_for_status()
    return resp.json()["matches"]


async def assign_jurors(pool, registry: httpx.AsyncClient, sub: dict) -> list[int]:
    jurors = await pool.fetch("SELECT id FROM jurors WHERE section = $1 AND active", sub["section"])
    clear = []
    for juror in jurors:
        matches = await conflicts_for(registry, juror["id"], sub)  # bug: ADC501
        if not matches:
            clear.append(juror["id"])
    chosen = random.sample(clear, k=min(3, len(clear)))
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM panel WHERE submission = $1", sub["id"])
        for seat, juror_id in enumerate(chosen, start=1):
            await conn.execute(
                "INSERT INTO panel (submission, juror, seat) VALUES ($1, $2, $3)", sub["id"], juror_id, seat
            )
    return chosen
