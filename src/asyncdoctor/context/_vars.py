"""The request context: a correlation ID and a route, kept in context variables.

A context variable follows the code that set it through every ``await`` and
into every task created after it was set (a task starts with a copy of the
context of the code that created it), so a value set when a request arrives
is readable anywhere in the handling of that request, without passing it
down.  Two values are kept:

* the **correlation ID**, which names one request across services and log
  lines (``X-Request-ID``), in :data:`correlation_id`;
* the **route**, which names the kind of request (``GET /items/{id}``), read
  with :func:`get_route`.  The route has no public variable of its own: the
  ASGI middleware learns the route template only once the application's router
  has matched the request, after the middleware set the context, so what it
  stores is resolved when it is read.

The runtime doctor reads both from the context of the task that caused a
finding (see ``asyncdoctor.runtime._context``), and only when this module has
been imported.
"""

from __future__ import annotations

import sys
from contextvars import Context, ContextVar, Token

TYPE_CHECKING = False  # not `from typing import ...`: typing costs start-up time
if TYPE_CHECKING:
    from collections.abc import Callable, MutableMapping
    from types import TracebackType
    from typing import Any

__all__ = [
    "bind",
    "context_values",
    "correlation_id",
    "get_correlation_id",
    "get_route",
    "new_id",
    "valid_id",
]

correlation_id: ContextVar[str | None] = ContextVar("asyncdoctor_correlation_id", default=None)
"""The correlation ID of the request being handled (``None`` outside a request)."""

# A str, or a _ScopeRoute resolved when read (see get_route); None outside a request.
_route: ContextVar[object] = ContextVar("asyncdoctor_route", default=None)

MAX_LENGTH = 128
"""The longest correlation ID accepted from a request header."""

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:+=@/~")
# What the doctor keeps of a value read from a context (a route may be a long raw path).
_KEPT = 256


def new_id() -> str:
    """A new correlation ID: 32 lowercase hex digits, a random UUID (version 4), as
    ``uuid.uuid4().hex`` gives."""
    import uuid  # not at import time: only the first request pays for it

    return uuid.uuid4().hex


def valid_id(value: str) -> bool:
    """Whether ``value`` may be taken as a correlation ID from a request header.

    It must be 1 to :data:`MAX_LENGTH` characters among letters, digits and
    ``- _ . : + = @ / ~``: enough for UUIDs, ULIDs, Amazon's ``Root=1-...``
    and W3C trace IDs, and nothing that could break a log line or a terminal
    (no spaces, quotes, control characters or non-ASCII letters).
    """
    return 0 < len(value) <= MAX_LENGTH and all(c in _SAFE for c in value)


class _ScopeRoute:
    """The route of an ASGI request, resolved from its scope when read.

    Starlette's router (1.7 and later) and FastAPI's routes put the matched route object
    in ``scope["route"]``; its ``path`` is the route template
    (``/items/{item_id}``).  A ``Mount`` adds its prefix to ``root_path``, so
    the template is the root path added since the middleware saw the request,
    then the route's path.  Until a router has matched (or when no router sets
    ``scope["route"]``), the route is the method and the raw path.
    """

    __slots__ = ("method", "raw", "root", "scope")

    def __init__(self, scope: MutableMapping[str, Any], method: str) -> None:
        self.scope = scope
        self.method = method
        self.root = str(scope.get("root_path", "") or "")
        self.raw = f"{method} {scope.get('path', '')}"

    def resolve(self) -> str:
        try:
            matched = self.scope.get("route")
            if matched is None:
                return self.raw
            template = getattr(matched, "path", None)
            if not isinstance(template, str):
                return self.raw
            root = str(self.scope.get("root_path", "") or "")
            prefix = root[len(self.root) :] if root.startswith(self.root) else ""
            if hasattr(matched, "routes"):
                # A Mount that matched without a route of its own (static files, a
                # sub-application): the root path already ends with its prefix.
                return f"{self.method} {prefix}/{{path}}"
            return f"{self.method} {prefix}{template}"
        except Exception:  # a scope or route object we do not know: the raw path
            return self.raw


def _resolve(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, _ScopeRoute):
        return value.resolve()
    return None


def _foreign_id() -> str | None:
    """asgi-correlation-id's correlation ID, if that package is in use."""
    module = sys.modules.get("asgi_correlation_id.context")
    var = getattr(module, "correlation_id", None)
    if isinstance(var, ContextVar):
        value = var.get(None)
        return value if isinstance(value, str) else None
    return None


def get_correlation_id() -> str | None:
    """The correlation ID of the request being handled, or ``None``.

    The value :func:`bind` or one of the middlewares set; failing that, the one
    set by the ``asgi-correlation-id`` package's middleware, if it is in use.
    """
    value = correlation_id.get()
    return value if value is not None else _foreign_id()


def get_route() -> str | None:
    """The route of the request being handled (``"GET /items/{item_id}"``), or ``None``.

    The template once the application's router has matched the request
    (Starlette, FastAPI, aiohttp), otherwise the method and the path.
    """
    return _resolve(_route.get())


class bind:  # used like a function: `with bind(...)`
    """Set the correlation ID and the route for the code in a ``with`` block.

    >>> with bind(correlation_id="job-42", route="worker refresh"):
    ...     get_correlation_id()
    'job-42'

    An argument left out (``None``) keeps the current value.  On leaving the
    block both are restored (with the context variables' tokens), so blocks
    nest.  Use it where no middleware sets the context: a queue consumer, a
    scheduled job, a custom protocol.  Tasks created inside the block keep the
    values for their whole life.
    """

    __slots__ = ("_correlation_id", "_route", "_tokens")

    def __init__(self, *, correlation_id: str | None = None, route: str | None = None) -> None:
        self._correlation_id = correlation_id
        self._route: object = route
        self._tokens: list[Token[str | None] | Token[object]] = []

    def __repr__(self) -> str:
        return f"bind(correlation_id={self._correlation_id!r}, route={_resolve(self._route)!r})"

    def __enter__(self) -> None:
        if self._correlation_id is not None:
            self._tokens.append(correlation_id.set(self._correlation_id))
        if self._route is not None:
            self._tokens.append(_route.set(self._route))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tokens, self._tokens = self._tokens, []
        for token in reversed(tokens):
            token.var.reset(token)  # type: ignore[arg-type]


def _bind_scope(cid: str, scope: MutableMapping[str, Any], method: str) -> bind:
    """The binding of an ASGI request (the route resolved from ``scope`` when read)."""
    binding = bind(correlation_id=cid)
    binding._route = _ScopeRoute(scope, method)
    return binding


def _clean(value: str) -> str:
    """``value`` kept short and printable (a raw path may hold anything)."""
    if len(value) > _KEPT:
        value = value[: _KEPT - 3] + "..."
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)


def context_values(context: Context | None = None) -> tuple[tuple[str, str], ...]:
    """The correlation ID and the route in ``context`` (the current one by default),
    as ``(("correlation_id", ...), ("route", ...))``, each only when set.

    The runtime doctor calls it, from its watchdog thread too, with the
    context of the task that blocked the loop: it runs no code of the
    program's but a route object's ``path`` attribute, and never fails.
    """
    get: Callable[[ContextVar[Any]], Any] = (
        (lambda var: var.get(None)) if context is None else (lambda var: context.get(var))
    )
    pairs: list[tuple[str, str]] = []
    try:
        cid = get(correlation_id)
        if cid is None:
            module = sys.modules.get("asgi_correlation_id.context")
            var = getattr(module, "correlation_id", None)
            if isinstance(var, ContextVar):
                cid = get(var)
        if isinstance(cid, str):
            pairs.append(("correlation_id", _clean(cid)))
        route = _resolve(get(_route))
        if route is not None:
            pairs.append(("route", _clean(route)))
    except Exception:
        pass
    return tuple(pairs)

