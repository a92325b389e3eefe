import asyncio
import logging
import threading
import time

log = logging.getLogger(__name__)


class AsyncTokenCache:
    """One refresh at a time; other callers wait on the asyncio lock."""

    def __init__(self, fetch, skew: float = 30.0):
        self._fetch = fetch
        self._skew = skew
        self._token = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        if self._token and time.monotonic() < self._expires - self._skew:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires - self._skew:
                return self._token
            token, ttl = await self._fetch()
            self._token, self._expires = token, time.monotonic() + ttl
            return token


class ThreadTokenCache:
    """The same for the sync SDK, which is used from worker threads."""

    def __init__(self, fetch, skew: float = 30.0):
        self._fetch = fetch
        self._skew = skew
        self._token = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self._first = threading.Event()

    def get(self) -> str:
        with self._lock:
            if not self._token or time.monotonic() >= self._expires - self._skew:
                token, ttl = self._fetch()
                self._token, self._expires = token, time.monotonic() + ttl
                self._first.set()
            return self._token

    def wait_first(self, timeout: float = 10.0) -> bool:
        return self._first.wait(timeout)


async def wait_for_sdk(cache: ThreadTokenCache) -> bool:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, cache.wait_first, 10.0)
