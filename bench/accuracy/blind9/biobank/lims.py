"""Reads donor consent from the hospital's consent registry."""
from __future__ import annotations

import httpx


async def fetch_consent(client: httpx.AsyncClient, donor_id: str) -> dict:
    resp = await client.get(f"/donors/{donor_id}/consent")
    resp.raise_for_status()
    return resp.json()


async def fetch_donor(client: httpx.AsyncClient, donor_id: str) -> dict:
    resp = await client.get(f"/donors/{donor_id}")
    resp.raise_for_status()
    return resp.json()
