"""Async status page: checks every registered service concurrently (bounded)."""
import asyncio
import time

import httpx
from aiohttp import web

from .utils import load_state, service_urls

MAX_CHECKS = 10


async def check(client: httpx.AsyncClient, sem: asyncio.Semaphore, name: str, url: str) -> dict:
    async with sem:
        started = time.perf_counter()
        try:
            r = await client.get(url)
            ok = r.status_code == 200
        except httpx.HTTPError:
            ok = False
    return {"name": name, "ok": ok, "ms": round((time.perf_counter() - started) * 1000)}


async def status(request: web.Request) -> web.Response:
    urls = request.app["urls"]
    sem = asyncio.Semaphore(MAX_CHECKS)
    results = await asyncio.gather(*(check(request.app["http"], sem, n, u) for n, u in urls.items()))
    return web.json_response(results)


async def client_ctx(app: web.Application):
    async with httpx.AsyncClient(timeout=3) as client:
        app["http"] = client
        yield


def make_app() -> web.Application:
    app = web.Application()
    app["urls"] = service_urls(load_state())
    app.cleanup_ctx.append(client_ctx)
    app.router.add_get("/status", status)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8099)
