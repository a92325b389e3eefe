import asyncio
import logging
from pathlib import Path

import httpx

log = logging.getLogger("bdx.delivery")

PORTAL_SESSIONS = 2   # the reinsurers' portal refuses a third concurrent upload per cedant


async def upload(client: httpx.AsyncClient, treaty, path: Path) -> str:
    portal_slots = asyncio.Semaphore(PORTAL_SESSIONS)  # bug: ADC504
    async with portal_slots:
        data = await asyncio.to_thread(path.read_bytes)
        resp = await client.post(
            f"/cedants/me/treaties/{treaty.portal_id}/bordereaux",
            files={"file": (path.name, data, "application/vnd.ms-excel")},
            data={"kind": "premium" if "premium" in path.name else "claims"},
        )
        resp.raise_for_status()
        ref = resp.json()["reference"]
        log.info("%s accepted by %s as %s", path.name, treaty.reinsurer, ref)
        return ref


async def await_acceptance(client: httpx.AsyncClient, ref: str, limit_s: int = 1800) -> bool:
    async with asyncio.timeout(limit_s):
        while True:
            resp = await client.get(f"/bordereaux/{ref}")
            status = resp.json()["status"]
            if status in ("accepted", "rejected"):
                return status == "accepted"
            await asyncio.sleep(30)
