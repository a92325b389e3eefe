import logging
import os

import aiohttp
from aiohttp import web

log = logging.getLogger("gateway")

BACKENDS = {
    "users": os.environ.get("USERS_URL", "http://users:8000"),
    "orders": os.environ.get("ORDERS_URL", "http://orders:8000"),
}
AUTH_URL = os.environ.get("AUTH_URL", "http://auth:8000")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-authorization"}

auth_session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3))  # bug: ADC401


async def authenticate(request):
    token = request.headers.get("Authorization", "")
    resp = await auth_session.get(f"{AUTH_URL}/introspect", headers={"Authorization": token})  # bug: ADC401
    if resp.status != 200:
        raise web.HTTPUnauthorized()
    return resp.headers.get("X-User-Id")


async def proxy(request):
    service = request.match_info["service"]
    base = BACKENDS.get(service)
    if base is None:
        raise web.HTTPNotFound()
    user_id = await authenticate(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    headers["X-User-Id"] = user_id or ""
    session = request.app["backend_session"]
    async with session.request(
        request.method,
        f"{base}/{request.match_info['tail']}",
        params=request.query,
        headers=headers,
        data=await request.read() if request.can_read_body else None,
    ) as upstream:
        response = web.StreamResponse(status=upstream.status)
        for key, value in upstream.headers.items():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                response.headers[key] = value
        await response.prepare(request)
        async for chunk in upstream.content.iter_chunked(32 * 1024):
            await response.write(chunk)
        await response.write_eof()
        return response


async def backend_session_ctx(app):
    app["backend_session"] = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=200, ttl_dns_cache=300),
        timeout=aiohttp.ClientTimeout(total=30),
    )
    yield
    await app["backend_session"].close()


def create_app():
    app = web.Application()
    app.cleanup_ctx.append(backend_session_ctx)
    app.router.add_route("*", "/{service}/{tail:.*}", proxy)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), port=8080)
