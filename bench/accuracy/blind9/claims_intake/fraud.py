"""Client for the fraud-scoring service run by the SIU team."""
from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx

FRAUD_URL = os.environ.get("FRAUD_URL", "http://fraud-scorer.internal:8080")
FRAUD_TOKEN = os.environ.get("FRAUD_TOKEN", "")


def _payload(policy_id: int, description: str, fields: dict[str, str]) -> dict[str, Any]:
    return {
        "policy_id": policy_id,
        "narrative": description[:4000],
        "registration": fields.get("REGISTRATION"),
        "accident_date": fields.get("ACCIDENT_DATE"),
        "third_party_policy": fields.get("THIRD_PARTY_POLICY"),
    }


async def score_claim(policy_id: int, description: str, fields: dict[str, str]) -> float:
    async with httpx.AsyncClient(  # bug: ADC402
        base_url=FRAUD_URL,
        headers={"Authorization": f"Bearer {FRAUD_TOKEN}"},
        timeout=5.0,
    ) as client:
        resp = await client.post("/v2/score", json=_payload(policy_id, description, fields))
        resp.raise_for_status()
        return float(resp.json()["score"])


async def rescore_open_claims(client: httpx.AsyncClient, claims: list[dict], limit: asyncio.Semaphore) -> list[float]:
    """Nightly rescoring; the caller owns the client and the semaphore."""

    async def one(claim: dict) -> float:
        async with limit:
            resp = await client.post(
                "/v2/score",
                json=_payload(claim["policy_id"], claim["description"], claim["fields"]),
            )
            resp.raise_for_status()
            return float(resp.json()["score"])

    return await asyncio.gather(*(one(c) for c in claims))
