"""Clients for the services behind the gateway."""
from __future__ import annotations

import functools

import httpx
import requests

USERS_URL = "http://users:8000"
ORDERS_URL = "http://orders:8000"
LEGACY_CRM = "http://crm.legacy.internal/api"


class Upstream:
    def __init__(self) -> None:
        self.users = httpx.AsyncClient(base_url=USERS_URL, timeout=5)
        self.orders = httpx.AsyncClient(base_url=ORDERS_URL, timeout=5)

    async def aclose(self) -> None:
        await self.users.aclose()
        await self.orders.aclose()

    async def user(self, user_id: str) -> dict:
        r = await self.users.get(f"/users/{user_id}")
        r.raise_for_status()
        return r.json()

    async def users_batch(self, ids: list[str]) -> list[dict]:
        r = await self.users.post("/users:batchGet", json={"ids": ids})
        r.raise_for_status()
        return r.json()["users"]

    async def orders_for(self, user_id: str, cursor: str | None = None) -> dict:
        r = await self.orders.get("/orders", params={"user": user_id, "cursor": cursor or ""})
        r.raise_for_status()
        return r.json()


@functools.lru_cache(maxsize=1)
def crm_field_map() -> dict:
    """Read once by the schema build, before the server starts."""
    return requests.get(f"{LEGACY_CRM}/fields", timeout=10).json()


def crm_tier(email: str) -> str:
    r = requests.get(f"{LEGACY_CRM}/customers", params={"email": email}, timeout=10)
    r.raise_for_status()
    return r.json().get("tier", "standard")
