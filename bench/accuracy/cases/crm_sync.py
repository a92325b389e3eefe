"""Syncs changed contacts from the CRM into our database, one change-feed page at a time."""

from __future__ import annotations

import logging
import os

import asyncpg
import httpx

log = logging.getLogger(__name__)

CRM_URL = os.environ.get("CRM_URL", "https://crm.example.com/api")
DSN = os.environ.get("DATABASE_URL", "postgresql://localhost/app")


async def upsert_contact(contact: dict) -> None:
    conn = await asyncpg.connect(DSN)  # bug: ADC402
    try:
        await conn.execute(
            "INSERT INTO contacts (crm_id, email, name) VALUES ($1, $2, $3)"
            " ON CONFLICT (crm_id) DO UPDATE SET email = $2, name = $3",
            contact["id"],
            contact["email"],
            contact["name"],
        )
    finally:
        await conn.close()


async def sync_changes(since: str) -> int:
    count = 0
    async with httpx.AsyncClient(base_url=CRM_URL, timeout=30) as crm:
        cursor: str | None = since
        while cursor:
            page = (await crm.get("/changes", params={"cursor": cursor})).json()
            # the change feed is ordered: later changes must win
            for contact in page["contacts"]:
                await upsert_contact(contact)
                count += 1
            cursor = page.get("next_cursor")
    log.info("synced %d contacts", count)
    return count
