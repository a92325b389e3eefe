"""Card payments through the PSP's REST API."""
from __future__ import annotations

import os

import httpx

PSP_URL = os.environ.get("PSP_URL", "https://api.psp.example/v2")
PSP_HEADERS = {"Authorization": f"Bearer {os.environ.get('PSP_KEY', '')}"}


async def capture(order_id: str, amount_cents: int, card_token: str) -> dict:
    async with httpx.AsyncClient(base_url=PSP_URL, headers=PSP_HEADERS, timeout=15) as client:  # bug: ADC402
        resp = await client.post("/payments", json={
            "reference": order_id, "amount": amount_cents, "currency": "EUR",
            "source": card_token, "capture": True,
        })
        resp.raise_for_status()
        return resp.json()


async def refund(client: httpx.AsyncClient, payment_id: str) -> None:
    resp = await client.post(f"/payments/{payment_id}/refunds")
    resp.raise_for_status()
