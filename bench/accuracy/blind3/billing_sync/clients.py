from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import boto3
import httpx
import stripe

from .ratelimit import STRIPE_BUCKET, STRIPE_LOCK


class LedgerClient:
    def __init__(self, base_url: str, token: str) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=15
        )

    async def balance(self, account_id: str) -> Decimal:
        resp = await self._http.get(f"/accounts/{account_id}/balance")
        resp.raise_for_status()
        return Decimal(resp.json()["balance"])

    async def aclose(self) -> None:
        await self._http.aclose()


class StripeGateway:
    def __init__(self, api_key: str) -> None:
        self._client = stripe.StripeClient(api_key)

    async def _call(self, fn, *args: Any, **kwargs: Any) -> Any:
        with STRIPE_LOCK:  # bug: ADC102
            wait = STRIPE_BUCKET.reserve()
            if wait > 0:
                await asyncio.sleep(wait)
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def open_invoices(self, customer_id: str) -> list[Any]:
        page = await self._call(
            self._client.invoices.list, params={"customer": customer_id, "status": "open"}
        )
        return list(page.data)


class InvoiceArchive:
    def __init__(self, bucket: str) -> None:
        self._bucket = bucket
        self._s3 = boto3.client("s3")

    async def store(self, invoice_id: str, pdf: bytes) -> str:
        key = f"invoices/{invoice_id}.pdf"
        self._s3.put_object(  # bug: ADC101
            Bucket=self._bucket, Key=key, Body=pdf, ContentType="application/pdf"
        )
        return key

    async def link(self, key: str, ttl: int = 3600) -> str:
        return await asyncio.to_thread(
            self._s3.generate_presigned_url,
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=ttl,
        )
