"""Builds and submits entries to the customs broker API."""
from __future__ import annotations

import asyncio
import logging
import os

import httpx

from . import manifests, tariff

log = logging.getLogger("customs.broker")
BROKER_URL = os.environ.get("BROKER_URL", "https://broker.example/ace/v3")


async def _submit(client: httpx.AsyncClient, entry: dict) -> str:
    for attempt in range(4):
        resp = await client.post(f"{BROKER_URL}/entries", json=entry)
        if resp.status_code not in (429, 503):
            resp.raise_for_status()
            return resp.json()["entry_number"]
        await asyncio.sleep(2 ** attempt)
    raise RuntimeError(f"broker kept refusing entry for {entry['bol']}")


async def file_manifest(manifest: manifests.Manifest) -> str:
    async with tariff.make_client() as tclient, httpx.AsyncClient(timeout=30) as bclient:
        for item in manifest.items:
            if item.hts is None:
                item.hts = manifests.hts_code_sync(item.description)  # bug: ADC103
        rates = []
        for item in manifest.items:
            rates.append(await tariff.duty_rate(tclient, item.hts, item.origin))  # bug: ADC501
        entry = {
            "bol": manifest.bill_of_lading,
            "importer": manifest.importer_id,
            "lines": [
                {"sku": i.sku, "hts": i.hts, "value": i.value_usd, "duty": round(i.value_usd * r, 2)}
                for i, r in zip(manifest.items, rates)
            ],
        }
        number = await _submit(bclient, entry)
        # the status check needs the entry number the broker just assigned
        status = await bclient.get(f"{BROKER_URL}/entries/{number}/status")
        log.info("filed %s as %s (%s)", manifest.bill_of_lading, number, status.json()["state"])
        return number
