"""21 CFR Part 11 audit trail, stored in Postgres."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import asyncpg


async def record_event(pool: asyncpg.Pool, user: str, action: str, record_id: str, payload: dict) -> None:
    await pool.execute(
        "INSERT INTO audit_trail (at, username, action, record_id, payload) VALUES ($1, $2, $3, $4, $5)",
        datetime.now(timezone.utc),
        user,
        action,
        record_id,
        json.dumps(payload, default=str),
    )


async def on_call_contacts(pool: asyncpg.Pool, site: str) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT name, pager_id FROM site_contacts WHERE site = $1 AND on_call ORDER BY name",
        site,
    )
