from __future__ import annotations

import logging
from decimal import Decimal

import httpx

logger = logging.getLogger(__name__)

RATES_URL = "https://rates.example.com/api/latest"


async def fetch_rate(base: str, quote: str) -> Decimal:
    client = httpx.AsyncClient(timeout=10.0)  # bug: ADC401
    resp = await client.get(RATES_URL, params={"base": base, "symbols": quote})
    resp.raise_for_status()
    return Decimal(str(resp.json()["rates"][quote]))


async def convert(amount: Decimal, base: str, quote: str) -> Decimal:
    if base == quote:
        return amount
    rate = await fetch_rate(base, quote)
    result = (amount * rate).quantize(Decimal("0.01"))
    logger.debug("%s %s = %s %s", amount, base, result, quote)
    return result


class RatesClient:
    """The long-lived variant used by the API server; closed on shutdown."""

    def __init__(self) -> None:
        self._client = httpx.AsyncClient(base_url=RATES_URL, timeout=10.0)

    async def rate(self, base: str, quote: str) -> Decimal:
        resp = await self._client.get("", params={"base": base, "symbols": quote})
        resp.raise_for_status()
        return Decimal(str(resp.json()["rates"][quote]))

    async def to_usd(self, balances: dict[str, Decimal]) -> Decimal:
        total = Decimal(0)
        for currency, amount in balances.items():
            rate = await self.rate(currency, "USD")  # bug: ADC501
            total += (amount * rate).quantize(Decimal("0.01"))
        return total

    async def aclose(self) -> None:
        await self._client.aclose()
