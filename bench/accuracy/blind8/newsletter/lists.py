"""Subscriber lists, kept in the station's listmonk instance."""
from __future__ import annotations

import asyncio
import os

import httpx

API = os.environ.get("LISTMONK_URL", "https://lists.radio.example/api")
AUTH = (os.environ.get("LISTMONK_USER", "api"), os.environ.get("LISTMONK_TOKEN", ""))


async def fetch_subscribers(client: httpx.AsyncClient, list_id: int) -> list[dict]:
    subs: list[dict] = []
    page = 1
    while True:
        resp = await client.get("/subscribers", params={"list_id": list_id, "page": page, "per_page": 500})
        resp.raise_for_status()
        results = resp.json()["data"]["results"]
        subs.extend(s for s in results if s["status"] == "enabled")
        if len(results) < 500:
            return subs
        page += 1


def subscribers_sync(list_id: int) -> list[dict]:
    """For the `count` command and the cron's dry runs."""

    async def _run() -> list[dict]:
        async with httpx.AsyncClient(base_url=API, auth=AUTH, timeout=20) as client:
            return await fetch_subscribers(client, list_id)

    return asyncio.run(_run())
