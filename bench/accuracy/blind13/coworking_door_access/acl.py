"""Who may open which zone, mirrored from the membership platform."""
from __future__ import annotations

import logging
import os

from aiohttp import web

log = logging.getLogger(__name__)
MEMBERSHIP_API = "https://api.deskbook.example/v1"
SPACE = os.environ.get("DESKBOOK_SPACE", "millrace")


async def reload_acl(app: web.Application) -> None:
    url = f"{MEMBERSHIP_API}/spaces/{SPACE}/members"
    async with app["http"].get(url, params={"active": "true"}) as resp:
        resp.raise_for_status()
        members = await resp.json()
    app["acl"] = {m["badge"]: frozenset(m["zones"]) for m in members}
    log.info("access list reloaded: %d badges", len(app["acl"]))


def allowed(app: web.Application, badge: str, zone: str) -> bool:
    return zone in app["acl"].get(badge, frozenset())
