"""Async request handlers that block the event loop without saying so (ADC101).

``list_orders`` looks innocent, but it calls ``get_token`` (imported from
``.auth``), which does a blocking ``requests.post``, and then
``self._session.get``, a blocking ``requests.Session`` call.  While either
waits for the server, no other request is served: concurrent calls run one
after the other.
"""

from typing import Any

import requests

from .auth import get_token


class ShopAPI:
    def __init__(self, base_url: str, client_id: str) -> None:
        self._base_url = base_url
        self._client_id = client_id
        self._session = requests.Session()

    async def list_orders(self, customer: str) -> list[dict[str, Any]]:
        token = get_token(self._base_url, self._client_id)  # ADC101: get_token -> requests.post
        response = self._session.get(  # ADC101: requests.Session.get
            f"{self._base_url}/orders",
            params={"customer": customer},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        response.raise_for_status()
        return response.json()["orders"]

    def close(self) -> None:
        self._session.close()
