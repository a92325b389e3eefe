"""Async request handlers that never block the event loop (clean).

One ``httpx.AsyncClient`` is created with the API object and closed by
``aclose``; ``list_orders`` awaits both the token and the orders request, so
concurrent calls overlap.
"""

from typing import Any

import httpx

from .auth import get_token


class ShopAPI:
    def __init__(self, base_url: str, client_id: str) -> None:
        self._client_id = client_id
        self._client = httpx.AsyncClient(base_url=base_url, timeout=5)

    async def list_orders(self, customer: str) -> list[dict[str, Any]]:
        token = await get_token(self._client, self._client_id)
        response = await self._client.get(
            "/orders",
            params={"customer": customer},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        return response.json()["orders"]

    async def aclose(self) -> None:
        await self._client.aclose()
