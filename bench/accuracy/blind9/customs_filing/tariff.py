"""Async client for the tariff classification and duty-rate service."""
from __future__ import annotations

import os

import httpx

TARIFF_URL = os.environ.get("TARIFF_URL", "https://tariff.internal/api")


def make_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=TARIFF_URL,
        headers={"X-Api-Key": os.environ.get("TARIFF_KEY", "")},
        timeout=15.0,
    )


async def classify(client: httpx.AsyncClient, description: str) -> str:
    resp = await client.post("/classify", json={"text": description})
    resp.raise_for_status()
    return resp.json()["hts"]


async def duty_rate(client: httpx.AsyncClient, hts: str, origin: str) -> float:
    resp = await client.get(f"/rates/{hts}", params={"origin": origin})
    resp.raise_for_status()
    return float(resp.json()["ad_valorem"])
