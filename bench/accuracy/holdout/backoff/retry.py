import asyncio
import functools
import logging
import time

from .policy import Policy

log = logging.getLogger(__name__)


class RetryError(Exception):
    pass


def retry(policy: Policy = Policy()):
    """Retry a plain function."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            for attempt, delay in enumerate(policy.delays(), 1):
                try:
                    return fn(*args, **kwargs)
                except policy.retry_on as exc:
                    if attempt == policy.attempts:
                        raise RetryError(f"{fn.__name__} failed {attempt} times") from exc
                    log.debug("%s: attempt %d failed (%s)", fn.__name__, attempt, exc)
                    time.sleep(delay)

        return wrapper

    return deco


def aretry(policy: Policy = Policy(), on_error=None):
    """Retry a coroutine function."""

    def deco(fn):
        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            last = None
            for attempt, delay in enumerate(policy.delays(), 1):
                try:
                    return await fn(*args, **kwargs)
                except BaseException as exc:  # bug: ADC601
                    last = exc
                    if on_error is not None:
                        on_error(exc, attempt)
                    await asyncio.sleep(delay)
            raise RetryError(f"{fn.__name__} failed {policy.attempts} times") from last

        return wrapper

    return deco
