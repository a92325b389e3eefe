"""Paging for serious adverse events (SAE)."""
from __future__ import annotations

import httpx

PAGER_PATH = "/v1/pages"


async def page(client: httpx.AsyncClient, pager_id: str, text: str) -> str:
    resp = await client.post(PAGER_PATH, json={"to": pager_id, "text": text, "priority": "high"})
    resp.raise_for_status()
    return resp.json()["page_id"]
