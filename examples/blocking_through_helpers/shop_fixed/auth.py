"""Authentication helper, async: it awaits the request instead of blocking.

It takes the caller's ``httpx.AsyncClient`` rather than opening its own, so
the token request reuses the same connection pool.
"""

import httpx

TOKEN_PATH = "/oauth/token"


async def get_token(client: httpx.AsyncClient, client_id: str) -> str:
    response = await client.post(TOKEN_PATH, data={"client_id": client_id})
    response.raise_for_status()
    return response.json()["access_token"]
