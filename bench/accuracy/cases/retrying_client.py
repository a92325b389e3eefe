import asyncio as aio
import logging
import random

import aiohttp

log = logging.getLogger(__name__)


class RetryingClient:
    def __init__(self, session: aiohttp.ClientSession, retries: int = 5, base_delay: float = 0.5):
        self._session = session
        self._retries = retries
        self._base_delay = base_delay

    def _delay(self, attempt: int) -> float:
        return self._base_delay * (2 ** attempt) * (0.5 + random.random())

    async def get_json(self, url: str, **params):
        last_exc: Exception | None = None
        for attempt in range(self._retries):
            try:
                async with self._session.get(url, params=params) as resp:
                    if resp.status in (429, 502, 503):
                        raise aiohttp.ClientResponseError(
                            resp.request_info, resp.history, status=resp.status
                        )
                    resp.raise_for_status()
                    return await resp.json()
            except (aiohttp.ClientError, aio.TimeoutError) as exc:
                last_exc = exc
                delay = self._delay(attempt)
                log.info("GET %s failed (%s); retry %d in %.2fs", url, exc, attempt + 1, delay)
                aio.sleep(delay)  # bug: ADC201
        raise RuntimeError(f"GET {url} failed after {self._retries} attempts") from last_exc

    async def get_text(self, url: str) -> str:
        async with self._session.get(url) as resp:
            resp.raise_for_status()
            return await resp.text()

    async def get_page(self, url: str) -> str:
        return await aio.create_task(self.get_text(url))  # bug: ADC302
