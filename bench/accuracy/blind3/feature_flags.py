"""Feature flag evaluation with an in-process rule cache refreshed in the background."""
from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import httpx

log = logging.getLogger("flags")


class FlagCache:
    def __init__(self) -> None:
        self._rules: dict[str, dict[str, Any]] = {}
        self._lock = asyncio.Lock()

    async def get(self, key: str) -> dict[str, Any] | None:
        async with self._lock:
            return self._rules.get(key)

    async def replace(self, rules: dict[str, dict[str, Any]]) -> None:
        async with self._lock:
            self._rules = rules


def _bucket(flag: str, user_id: str) -> int:
    digest = hashlib.sha1(f"{flag}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:2], "big") % 100


class FlagClient:
    def __init__(self, http: httpx.AsyncClient, refresh_every: float = 30.0) -> None:
        self._http = http
        self._cache = FlagCache()
        self._refresh_every = refresh_every
        self._refresher: asyncio.Task[None] | None = None

    async def _refresh_forever(self) -> None:
        while True:
            try:
                resp = await self._http.get("/flags")
                resp.raise_for_status()
                await self._cache.replace({f["key"]: f for f in resp.json()["flags"]})
            except httpx.HTTPError as exc:
                log.warning("flag refresh failed: %s", exc)
            await asyncio.sleep(self._refresh_every)

    def start(self) -> None:
        if self._refresher is None:
            self._refresher = asyncio.create_task(self._refresh_forever(), name="flag-refresh")

    async def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            try:
                await self._refresher
            except asyncio.CancelledError:
                pass
            self._refresher = None

    async def enabled(self, flag: str, user_id: str) -> bool:
        rule = await self._cache.get(flag)
        if rule is None or not rule.get("on"):
            return False
        if user_id in rule.get("allow", ()):
            return True
        return _bucket(flag, user_id) < rule.get("rollout", 0)

    async def evaluate_all(self, flags: list[str], user_id: str) -> dict[str, bool]:
        return {flag: await self.enabled(flag, user_id) for flag in flags}

    async def describe(self, flags: list[str]) -> list[str]:
        lines = []
        for flag in flags:
            rule = await self._cache.get(flag)
            lines.append(f"{flag}: {'on' if rule and rule.get('on') else 'off'} ({(rule or {}).get('rollout', 0)}%)")
        return lines
