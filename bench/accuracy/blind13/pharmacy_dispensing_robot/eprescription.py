"""Reads signed prescriptions from the regional e-prescribing exchange (FHIR)."""
from __future__ import annotations

import httpx

EXCHANGE = "https://erx.health-exchange.example/fhir"


def _to_order(resource: dict) -> dict:
    lines = []
    for item in resource.get("contained", []):
        if item.get("resourceType") != "Medication":
            continue
        ndc = next(c["code"] for c in item["code"]["coding"] if c["system"].endswith("ndc"))
        lines.append({"ndc": ndc, "packs": int(item.get("amount", {}).get("value", 1))})
    return {
        "id": resource["id"],
        "patient": resource["subject"]["reference"],
        "npi": resource["requester"]["identifier"]["value"],
        "lines": lines,
    }


async def fetch_prescription(rx_id: str, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    async with httpx.AsyncClient(base_url=EXCHANGE, headers=headers, timeout=10) as client:  # bug: ADC402
        resp = await client.get(f"/MedicationRequest/{rx_id}")
        resp.raise_for_status()
        return _to_order(resp.json())


async def prescriber_active(registry: httpx.AsyncClient, npi: str) -> bool:
    resp = await registry.get("/Practitioner", params={"identifier": npi})
    resp.raise_for_status()
    entries = resp.json().get("entry", [])
    return any(e["resource"].get("active", False) for e in entries)
