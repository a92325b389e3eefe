"""Shared HTTP clients for the gateway service."""

from __future__ import annotations

import contextlib
import logging

import aiohttp
import httpx
from aiohttp import web

log = logging.getLogger(__name__)


def make_session(token: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {token}"},
        timeout=aiohttp.ClientTimeout(total=15),
    )


class UpstreamClients:
    def __init__(self) -> None:
        self.stack = contextlib.AsyncExitStack()
        self.search: httpx.AsyncClient | None = None
        self.billing: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> UpstreamClients:
        self.search = await self.stack.enter_async_context(
            httpx.AsyncClient(base_url="http://search.internal", timeout=5)
        )
        self.billing = await self.stack.enter_async_context(make_session("billing-token"))
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.stack.aclose()


async def client_ctx(app: web.Application):
    app["session"] = make_session(app["config"]["token"])
    yield
    await app["session"].close()


async def fetch_once(url: str) -> bytes:
    session = aiohttp.ClientSession()
    try:
        async with session.get(url) as resp:
            return await resp.read()
    finally:
        await session.close()


def make_app(config: dict) -> web.Application:
    app = web.Application()
    app["config"] = config
    app.cleanup_ctx.append(client_ctx)
    return app
