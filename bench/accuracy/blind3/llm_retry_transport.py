"""Retrying transport shared by our sync and async LLM clients."""
from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any

import httpx

log = logging.getLogger("llm.transport")

RETRY_STATUSES = {408, 409, 429, 500, 502, 503, 504}


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after:
        try:
            return min(float(retry_after), 60.0)
        except ValueError:
            pass
    return min(0.5 * 2**attempt, 20.0) * (0.75 + random.random() / 2)


class SyncTransport:
    def __init__(self, base_url: str, api_key: str, max_retries: int = 4) -> None:
        self._client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {api_key}"})
        self._max_retries = max_retries

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(self._max_retries + 1):
            resp = self._client.request(method, path, **kwargs)
            if resp.status_code not in RETRY_STATUSES or attempt == self._max_retries:
                return resp
            time.sleep(_backoff(attempt, resp.headers.get("retry-after")))
        raise AssertionError("unreachable")


class AsyncTransport:
    def __init__(self, base_url: str, api_key: str, max_retries: int = 4) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {api_key}"})
        self._max_retries = max_retries
        self.retries = 0

    async def _on_retry(self, attempt: int, resp: httpx.Response | None) -> None:
        self.retries += 1
        log.info("retry %d (%s)", attempt, resp.status_code if resp is not None else "network error")

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(self._max_retries + 1):
            try:
                resp = await self._client.request(method, path, **kwargs)
            except httpx.TransportError:
                if attempt == self._max_retries:
                    raise
                self._on_retry(attempt, None)  # bug: ADC201
                await asyncio.sleep(_backoff(attempt, None))
                continue
            except asyncio.CancelledError:  # bug: ADC601
                log.warning("request %s %s cancelled on attempt %d, retrying", method, path, attempt)
                continue
            if resp.status_code not in RETRY_STATUSES or attempt == self._max_retries:
                return resp
            await self._on_retry(attempt, resp)
            await asyncio.sleep(_backoff(attempt, resp.headers.get("retry-after")))
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self._client.aclose()
