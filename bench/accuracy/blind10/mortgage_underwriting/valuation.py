"""Automated valuation (AVM) and sold comparables from the property data API."""
import os

import httpx

AVM_URL = "https://api.propertydata.example/v2"
API_KEY = os.environ.get("AVM_API_KEY", "")


def auth_headers() -> dict:
    return {"X-Api-Key": API_KEY, "Accept": "application/json"}


async def automated_valuation(postcode: str, address_line: str, property_type: str) -> tuple[int, float]:
    async with httpx.AsyncClient(base_url=AVM_URL, headers=auth_headers(), timeout=20) as client:  # bug: ADC402
        resp = await client.get(
            "/avm",
            params={"postcode": postcode, "address": address_line, "type": property_type},
        )
        resp.raise_for_status()
        body = resp.json()
    return int(body["valuation"]), float(body["confidence"])


async def comparables(client: httpx.AsyncClient, postcode: str, bedrooms: int) -> list[dict]:
    """Sold prices within half a mile in the last 18 months (shared client)."""
    resp = await client.get(
        "/sold-prices",
        params={"postcode": postcode, "bedrooms": bedrooms, "radius": 0.5, "months": 18},
    )
    resp.raise_for_status()
    return resp.json()["data"][:12]
