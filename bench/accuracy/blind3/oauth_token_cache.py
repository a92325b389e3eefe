"""OAuth2 client-credentials token cache shared by all outgoing API clients."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass

import httpx

log = logging.getLogger("oauth")


@dataclass
class Token:
    value: str
    expires_at: float

    def valid(self, leeway: float = 30.0) -> bool:
        return time.time() + leeway < self.expires_at


class TokenCache:
    def __init__(self, client: httpx.AsyncClient, token_url: str, client_id: str, client_secret: str) -> None:
        self._client = client
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._tokens: dict[str, Token] = {}
        self._refresh_locks: dict[str, asyncio.Lock] = {}
        self._stats_lock = threading.Lock()
        self.refreshes = 0
        self.hits = 0

    def stats(self) -> dict[str, int]:
        """Read by the admin thread."""
        with self._stats_lock:
            return {"refreshes": self.refreshes, "hits": self.hits, "scopes": len(self._tokens)}

    def _lock_for(self, scope: str) -> asyncio.Lock:
        lock = self._refresh_locks.get(scope)
        if lock is None:
            lock = self._refresh_locks[scope] = asyncio.Lock()
        return lock

    async def _fetch(self, scope: str) -> Token:
        resp = await self._client.post(
            self._token_url,
            data={"grant_type": "client_credentials", "scope": scope},
            auth=(self._client_id, self._client_secret),
        )
        resp.raise_for_status()
        body = resp.json()
        return Token(body["access_token"], time.time() + body.get("expires_in", 3600))

    async def get(self, scope: str) -> str:
        token = self._tokens.get(scope)
        if token is not None and token.valid():
            with self._stats_lock:
                self.hits += 1
            return token.value
        async with self._lock_for(scope):
            token = self._tokens.get(scope)
            if token is None or not token.valid():
                token = await self._fetch(scope)
                self._tokens[scope] = token
                with self._stats_lock:
                    self.refreshes += 1
                log.debug("refreshed token for %s", scope)
        return token.value

    def invalidate(self, scope: str) -> None:
        self._tokens.pop(scope, None)


class BearerAuth(httpx.Auth):
    def __init__(self, cache: TokenCache, scope: str) -> None:
        self._cache = cache
        self._scope = scope

    async def async_auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {await self._cache.get(self._scope)}"
        response = yield request
        if response.status_code == 401:
            self._cache.invalidate(self._scope)
            request.headers["Authorization"] = f"Bearer {await self._cache.get(self._scope)}"
            yield request
