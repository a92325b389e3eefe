"""Retrying HTTP helper used by the integrations service."""
import asyncio
import logging
import random
from typing import Any

import httpx

log = logging.getLogger("http")

RETRY_STATUS = {429, 502, 503, 504}


async def request_with_retry(
    client: httpx.AsyncClient, method: str, url: str, *, attempts: int = 5, **kwargs: Any
) -> httpx.Response:
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            r = await client.request(method, url, **kwargs)
            if r.status_code not in RETRY_STATUS or attempt == attempts:
                return r
            wait = float(r.headers.get("Retry-After", delay))
        except asyncio.CancelledError:
            log.debug("%s %s cancelled on attempt %d", method, url, attempt)
            raise
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            if attempt == attempts:
                raise
            log.info("%s %s: %s (attempt %d)", method, url, exc, attempt)
            wait = delay
        await asyncio.sleep(wait + random.uniform(0, wait / 4))
        delay = min(delay * 2, 30)
    raise AssertionError("unreachable")


async def fetch_json(client: httpx.AsyncClient, url: str) -> Any:
    try:
        r = await request_with_retry(client, "GET", url)
        r.raise_for_status()
        return r.json()
    except Exception as exc:
        log.warning("giving up on %s: %s", url, exc)
        return None


def parse_retry_after(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except:
        return default
