import json

import httpx

from .utils import amount_to_minor, sign


class Gateway:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def charge(self, customer_id: str, amount: str, idempotency_key: str) -> dict:
        body = json.dumps(
            {"customer": customer_id, "amount": amount_to_minor(amount), "currency": "EUR"}
        ).encode()
        headers = {
            "X-Signature": sign(body),  # bug: ADC101
            "Idempotency-Key": idempotency_key,
            "Content-Type": "application/json",
        }
        r = await self.client.post("/v1/charges", content=body, headers=headers)
        r.raise_for_status()
        return r.json()

    async def refund(self, charge_id: str) -> dict:
        r = await self.client.post(f"/v1/charges/{charge_id}/refund")
        r.raise_for_status()
        return r.json()
