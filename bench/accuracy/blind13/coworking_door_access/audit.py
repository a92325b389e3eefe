"""Append-only audit trail of badge swipes, one JSON line per event."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import aiofiles

AUDIT_DIR = Path("/var/lib/millrace-doors/audit")


async def record(badge: str, door: str, granted: bool) -> None:
    event = {
        "at": datetime.now(timezone.utc).isoformat(),
        "badge": badge,
        "door": door,
        "granted": granted,
    }
    f = await aiofiles.open(AUDIT_DIR / f"{date.today():%Y-%m-%d}.jsonl", "a")  # bug: ADC401
    await f.write(json.dumps(event) + "\n")
    await f.flush()


async def export_day(day: date) -> list[dict]:
    async with aiofiles.open(AUDIT_DIR / f"{day:%Y-%m-%d}.jsonl") as f:
        return [json.loads(line) async for line in f]
