from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any, AsyncIterator

import aiohttp


class AirSenseError(Exception):
    pass


class AirSenseClient:
    def __init__(
        self, session: aiohttp.ClientSession, host: str, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._session = session
        self._base = f"https://{host}" if ssl_context else f"http://{host}"
        self._ssl = ssl_context if ssl_context is not None else True
        self._auth_lock = asyncio.Lock()
        self._token: str | None = None

    async def _ensure_token(self) -> str:
        async with self._auth_lock:
            if self._token is None:
                async with self._session.post(f"{self._base}/auth", ssl=self._ssl) as resp:
                    if resp.status != 200:
                        raise AirSenseError(f"auth failed: {resp.status}")
                    self._token = (await resp.json())["token"]
            return self._token

    async def measurements(self) -> dict[str, Any]:
        token = await self._ensure_token()
        async with self._session.get(
            f"{self._base}/measurements",
            headers={"Authorization": f"Bearer {token}"},
            ssl=self._ssl,
        ) as resp:
            if resp.status == 401:
                self._token = None
                raise AirSenseError("token expired")
            resp.raise_for_status()
            return await resp.json()

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        token = await self._ensure_token()
        async with self._session.get(
            f"{self._base}/events",
            headers={"Authorization": f"Bearer {token}"},
            ssl=self._ssl,
            timeout=aiohttp.ClientTimeout(total=None, sock_read=120),
        ) as resp:
            async for line in resp.content:
                if line.startswith(b"data:"):
                    yield json.loads(line[5:])
