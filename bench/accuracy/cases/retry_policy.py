"""Retry decorator for flaky upstream calls."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)


def retry(
    attempts: int = 3,
    base: float = 0.2,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    def decorate(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            for attempt in range(1, attempts + 1):
                try:
                    return await fn(*args, **kwargs)
                except asyncio.CancelledError:
                    raise
                except retry_on as exc:
                    if attempt == attempts:
                        raise
                    delay = base * 2 ** (attempt - 1) * (1 + random.random())
                    log.info("%s failed (%s); retry %d in %.2fs", fn.__name__, exc, attempt, delay)
                    await asyncio.sleep(delay)
            raise AssertionError("unreachable")

        return wrapper

    return decorate


@retry(attempts=5)
async def fetch_token(client, audience: str) -> str:
    resp = await client.post("/oauth/token", data={"audience": audience})
    resp.raise_for_status()
    return resp.json()["access_token"]


async def fetch_with_deadline(client, url: str, seconds: float = 5.0):
    try:
        async with asyncio.timeout(seconds):
            return await client.get(url)
    except TimeoutError:
        log.warning("GET %s timed out after %.1fs", url, seconds)
        return None
    except Exception:
        log.exception("GET %s failed", url)
        return None
