"""The ASGI middleware: one correlation ID and one route per request.

Pure ASGI (no Starlette import): it wraps any ASGI application, Starlette and
FastAPI included (``app.add_middleware(CorrelationMiddleware)``), and works
under any ASGI server.
"""

from __future__ import annotations

from ._vars import _bind_scope, new_id, valid_id

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping
    from typing import Any

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["CorrelationMiddleware"]


class CorrelationMiddleware:
    """Sets the correlation ID and the route for each HTTP request and websocket.

    The correlation ID is the request's ``X-Request-ID`` header (``header``)
    when it passes ``validate`` (by default :func:`valid_id`: at most 128
    safe characters), otherwise a new one from ``generate`` (by default
    :func:`new_id`): a client cannot put a newline or a megabyte into your
    logs.  With ``echo`` (the default) the ID is added to the response's
    headers, unless the application set that header itself.

    The route is the method and the route template once the application's
    router has matched the request (Starlette 1.7+ and FastAPI put the route
    in ``scope["route"]``; a ``Mount``'s prefix is included), the method and
    the raw path before that or without such a router; a websocket's method
    reads ``WEBSOCKET``.  Lifespan events and any other scope go through
    untouched.

    >>> from starlette.applications import Starlette        # doctest: +SKIP
    >>> app = Starlette(routes=...)                          # doctest: +SKIP
    >>> app.add_middleware(CorrelationMiddleware)            # doctest: +SKIP
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        header: str = "X-Request-ID",
        echo: bool = True,
        generate: Callable[[], str] = new_id,
        validate: Callable[[str], bool] = valid_id,
    ) -> None:
        self.app = app
        self.header = header
        self.echo = echo
        self.generate = generate
        self.validate = validate
        self._key = header.lower().encode("latin-1")

    def __repr__(self) -> str:
        return (
            f"CorrelationMiddleware({self.app!r}, header={self.header!r}, echo={self.echo!r})"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        cid: str | None = None
        key = self._key
        for name, value in scope.get("headers") or ():
            if name.lower() == key:
                text = value.decode("latin-1")
                if self.validate(text):
                    cid = text
                break
        if cid is None:
            cid = self.generate()
        method = str(scope.get("method") or "GET") if kind == "http" else "WEBSOCKET"
        if self.echo and kind == "http":
            send = self._echoing(send, cid)
        with _bind_scope(cid, scope, method):
            await self.app(scope, receive, send)

    def _echoing(self, send: Send, cid: str) -> Send:
        key = self._key
        encoded = cid.encode("latin-1", "replace")

        async def send_with_id(message: Message) -> None:
            if message.get("type") == "http.response.start":
                headers = list(message.get("headers") or ())
                if not any(bytes(name).lower() == key for name, _ in headers):
                    headers.append((key, encoded))
                    message = {**message, "headers": headers}
            await send(message)

        return send_with_id
