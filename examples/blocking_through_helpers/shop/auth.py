"""Authentication helper: an ordinary sync function built on ``requests``.

``get_token`` is fine in sync code.  But ``shop.api`` calls it from
``async def`` handlers, so its ``requests.post`` runs on the event loop and
blocks it.  asyncdoctor reports this at the call site in ``api.py``, with the
chain ``get_token() -> requests.post()`` leading here (ADC101).
"""

import requests

TOKEN_PATH = "/oauth/token"


def get_token(base_url: str, client_id: str) -> str:
    response = requests.post(base_url + TOKEN_PATH, data={"client_id": client_id}, timeout=5)
    response.raise_for_status()
    return response.json()["access_token"]
