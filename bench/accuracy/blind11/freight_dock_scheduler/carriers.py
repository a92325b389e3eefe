import logging
import os
from datetime import datetime

import httpx

log = logging.getLogger("dock.carriers")

SLOTBRIDGE = "https://api.slotbridge.eu/v3"
_HEADERS = {"Authorization": f"Bearer {os.environ.get('SLOTBRIDGE_TOKEN', '')}"}


async def confirm_slot(carrier_code: str, plate: str, door: int, start: datetime) -> str:
    async with httpx.AsyncClient(base_url=SLOTBRIDGE, headers=_HEADERS, timeout=15) as client:  # bug: ADC402
        resp = await client.post(
            f"/carriers/{carrier_code}/slots",
            json={"plate": plate, "door": door, "start": start.isoformat()},
        )
        resp.raise_for_status()
        return resp.json()["confirmation_id"]


async def watch_eta(tracking: httpx.AsyncClient, plate: str) -> None:
    resp = await tracking.post("/watches", json={"plate": plate, "notify": "dock-ops"})
    if resp.status_code >= 400:
        log.warning("ETA watch for %s refused: %s", plate, resp.text)


async def etas(tracking: httpx.AsyncClient, plates: list[str]) -> dict[str, str | None]:
    if not plates:
        return {}
    resp = await tracking.get("/etas", params={"plates": ",".join(plates)})
    resp.raise_for_status()
    known = {row["plate"]: row["eta"] for row in resp.json()["items"]}
    return {plate: known.get(plate) for plate in plates}
