"""Outgoing requests: the correlation ID in a header of every request the handler makes.

Neither aiohttp nor httpx is imported before it is used: the httpx hooks need
no import at all, and aiohttp is imported when the trace config is made.
"""

from __future__ import annotations

from ._vars import get_correlation_id

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import SimpleNamespace

    import aiohttp
    import httpx

__all__ = ["aiohttp_trace_config", "httpx_async_hook", "httpx_hook"]


def aiohttp_trace_config(*, header: str = "X-Request-ID") -> aiohttp.TraceConfig:
    """An aiohttp ``TraceConfig`` that sends the current correlation ID in ``header``.

    ``aiohttp.ClientSession(trace_configs=[aiohttp_trace_config()])``.  Nothing
    is added outside a request (no ID), nor when the request already has that
    header (given to the call or among the session's default headers).
    """
    import aiohttp

    async def on_request_start(
        session: aiohttp.ClientSession,
        trace_config_ctx: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        cid = get_correlation_id()
        if cid is not None and header not in params.headers:
            params.headers[header] = cid

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_request_start)
    return config


def httpx_hook(*, header: str = "X-Request-ID") -> Callable[[httpx.Request], None]:
    """An httpx request hook (for ``httpx.Client``) that sends the current
    correlation ID in ``header``: ``httpx.Client(event_hooks={"request":
    [httpx_hook()]})``.  Nothing is added outside a request, nor when the
    request already has that header."""

    def add_correlation_id(request: httpx.Request) -> None:
        cid = get_correlation_id()
        if cid is not None and header not in request.headers:
            request.headers[header] = cid

    return add_correlation_id


def httpx_async_hook(*, header: str = "X-Request-ID") -> Callable[[httpx.Request], Awaitable[None]]:
    """:func:`httpx_hook` for ``httpx.AsyncClient``, whose hooks are awaited."""
    add = httpx_hook(header=header)

    async def add_correlation_id(request: httpx.Request) -> None:
        add(request)

    return add_correlation_id
