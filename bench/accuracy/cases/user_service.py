from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from app.clients import billing_api, profile_api

log = logging.getLogger(__name__)


@dataclass
class UserView:
    id: int
    name: str
    plan: str
    balance_cents: int


class UserService:
    async def _profile(self, user_id: int) -> dict:
        return await profile_api.get(f"/users/{user_id}")

    async def _billing(self, user_id: int) -> dict:
        return await billing_api.get(f"/accounts/{user_id}")

    async def view(self, user_id: int) -> UserView:
        # profile and billing are independent: run them side by side
        billing_task = asyncio.create_task(self._billing(user_id))
        profile = await self._profile(user_id)
        billing = await billing_task
        return UserView(user_id, profile["name"], billing["plan"], billing["balance"])

    async def display_name(self, user_id: int) -> str:
        profile = await asyncio.create_task(self._profile(user_id))  # bug: ADC302
        return profile.get("display_name") or profile["name"]

    async def plan(self, user_id: int) -> str:
        task = asyncio.ensure_future(self._billing(user_id))  # bug: ADC302
        account = await task
        return account["plan"]
