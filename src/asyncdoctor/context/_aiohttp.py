"""The aiohttp server middleware (aiohttp is imported when the middleware is made)."""

from __future__ import annotations

from ._vars import bind, new_id, valid_id

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiohttp import web

    Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
    Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]

__all__ = ["aiohttp_middleware", "aiohttp_route"]


def aiohttp_route(request: web.Request) -> str:
    """``request``'s method and route: the resource's canonical path
    (``/items/{id}``) when the router matched one, else the raw path."""
    canonical: object = None
    try:
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource is not None else None
    except Exception:  # a custom match info or resource: the raw path
        canonical = None
    path = canonical if isinstance(canonical, str) and canonical else request.path
    return f"{request.method} {path}"


def aiohttp_middleware(
    *,
    header: str = "X-Request-ID",
    echo: bool = True,
    generate: Callable[[], str] = new_id,
    validate: Callable[[str], bool] = valid_id,
) -> Middleware:
    """An aiohttp middleware that sets the correlation ID and the route for each request.

    ``web.Application(middlewares=[aiohttp_middleware()])``.  The options mean
    what they mean for :class:`CorrelationMiddleware`: the ID comes from the
    ``header`` when ``validate`` accepts it, else from ``generate``, and is
    echoed on the response (also on an ``HTTPException`` raised by the
    handler) unless the handler set that header or already sent its headers.
    The route is the method and the matched resource's canonical path
    (``GET /items/{id}``), or the raw path when nothing matched.
    """
    from aiohttp import web

    @web.middleware
    async def correlation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        value = request.headers.get(header)
        cid = value if value is not None and validate(value) else generate()
        with bind(correlation_id=cid, route=aiohttp_route(request)):
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                if echo and header not in exc.headers:
                    exc.headers[header] = cid
                raise
        if echo and not response.prepared and header not in response.headers:
            response.headers[header] = cid
        return response

    return correlation_middleware
