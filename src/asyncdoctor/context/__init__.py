"""Correlation IDs: which request a log line, an outgoing call or a finding belongs to.

"Log with correlation IDs across async boundaries": a middleware gives each
request an ID (the client's ``X-Request-ID`` or a new one) and a route, kept
in context variables, which follow the request through every ``await`` and
into the tasks it starts; log records, outgoing requests and the runtime
doctor's findings then carry them.

>>> from asyncdoctor.context import bind, get_correlation_id
>>> with bind(correlation_id="abc123", route="GET /items/{id}"):
...     get_correlation_id()
'abc123'

* Set them: :class:`CorrelationMiddleware` (any ASGI app: Starlette,
  FastAPI), :func:`aiohttp_middleware`, or :func:`bind` anywhere else.
* Read them: :func:`get_correlation_id`, :func:`get_route`; in logs with
  :class:`ContextFilter` (``logging``) or :func:`add_context` (structlog).
* Pass them on: :func:`aiohttp_trace_config`, :func:`httpx_hook` and
  :func:`httpx_async_hook` send the ID with outgoing requests;
  :func:`install` makes ``loop.run_in_executor`` carry the context into its
  threads, as ``asyncio.to_thread`` does.
* The runtime doctor (``asyncdoctor run``) adds them to each finding, when
  this package is imported (or asgi-correlation-id is in use).

Importing this package imports none of aiohttp, httpx, Starlette, structlog
or asyncio, and only the variables' module: the middlewares, filters and
hooks are imported when first used.
"""

from ._vars import bind as bind
from ._vars import correlation_id as correlation_id
from ._vars import get_correlation_id as get_correlation_id
from ._vars import get_route as get_route
from ._vars import new_id as new_id
from ._vars import valid_id as valid_id

TYPE_CHECKING = False  # not `from typing import ...`: typing costs start-up time
if TYPE_CHECKING:
    from ._aiohttp import aiohttp_middleware as aiohttp_middleware
    from ._aiohttp import aiohttp_route as aiohttp_route
    from ._asgi import CorrelationMiddleware as CorrelationMiddleware
    from ._executor import install as install
    from ._executor import installed as installed
    from ._executor import uninstall as uninstall
    from ._logs import ContextFilter as ContextFilter
    from ._logs import add_context as add_context
    from ._outgoing import aiohttp_trace_config as aiohttp_trace_config
    from ._outgoing import httpx_async_hook as httpx_async_hook
    from ._outgoing import httpx_hook as httpx_hook

__all__ = [
    "ContextFilter",
    "CorrelationMiddleware",
    "add_context",
    "aiohttp_middleware",
    "aiohttp_route",
    "aiohttp_trace_config",
    "bind",
    "correlation_id",
    "get_correlation_id",
    "get_route",
    "httpx_async_hook",
    "httpx_hook",
    "install",
    "installed",
    "new_id",
    "uninstall",
    "valid_id",
]

# Where each name imported on first use lives (PEP 562).
_LAZY = {
    "aiohttp_middleware": "_aiohttp",
    "aiohttp_route": "_aiohttp",
    "CorrelationMiddleware": "_asgi",
    "install": "_executor",
    "installed": "_executor",
    "uninstall": "_executor",
    "ContextFilter": "_logs",
    "add_context": "_logs",
    "aiohttp_trace_config": "_outgoing",
    "httpx_async_hook": "_outgoing",
    "httpx_hook": "_outgoing",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
