"""DNS-over-HTTPS front-end for a school network (RFC 8484, aiohttp.web).

Queries are answered from a small TTL cache or raced against three upstream
DoH resolvers; the first good answer wins and the others are cancelled.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections import defaultdict

import aiohttp
import dns.message
import dns.rcode
from aiohttp import web

log = logging.getLogger("doh")
UPSTREAMS = ("https://1.1.1.1/dns-query", "https://9.9.9.9/dns-query", "https://dns.google/dns-query")
CT = "application/dns-message"
MAX_CACHE = 50_000


async def ask(session: aiohttp.ClientSession, url: str, wire: bytes) -> bytes:
    try:
        async with session.post(url, data=wire, headers={"Content-Type": CT, "Accept": CT}) as resp:
            resp.raise_for_status()
            return await resp.read()
    except asyncio.CancelledError:
        log.debug("upstream %s lost the race", url)
        raise


async def race(session: aiohttp.ClientSession, wire: bytes) -> bytes:
    tasks = [asyncio.create_task(ask(session, url, wire)) for url in UPSTREAMS]
    try:
        for next_done in asyncio.as_completed(tasks):
            try:
                return await next_done
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("upstream failed: %s", exc)
        raise web.HTTPBadGateway(text="all upstreams failed")
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def resolve(request: web.Request) -> web.Response:
    if request.method == "GET":
        wire = base64.urlsafe_b64decode(request.query["dns"] + "=" * (-len(request.query["dns"]) % 4))
    else:
        wire = await request.read()
    query = dns.message.from_wire(wire)
    key = (str(query.question[0].name).lower(), query.question[0].rdtype)
    cache = request.app["cache"]
    async with request.app["locks"][key]:
        hit = cache.get(key)
        if hit is None or hit[0] < time.monotonic():
            answer = await race(request.app["http"], wire)
            msg = dns.message.from_wire(answer)
            ttl = min((rr.ttl for rr in msg.answer), default=30) if msg.rcode() == dns.rcode.NOERROR else 30
            hit = cache[key] = (time.monotonic() + ttl, msg)
    reply = dns.message.from_wire(hit[1].to_wire())
    reply.id = query.id
    return web.Response(body=reply.to_wire(), content_type=CT)


async def prune(app: web.Application) -> None:
    while True:
        await asyncio.sleep(60)
        now = time.monotonic()
        for key in [k for k, (exp, _) in app["cache"].items() if exp < now]:
            del app["cache"][key]
            app["locks"].pop(key, None)
        if len(app["cache"]) > MAX_CACHE:
            app["cache"].clear()


async def lifecycle(app: web.Application):
    app["cache"], app["locks"] = {}, defaultdict(asyncio.Lock)
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3))
    app["pruner"] = asyncio.create_task(prune(app))
    yield
    app["pruner"].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app["pruner"]
    await app["http"].close()


if __name__ == "__main__":
    application = web.Application()
    application.router.add_route("GET", "/dns-query", resolve)
    application.router.add_route("POST", "/dns-query", resolve)
    application.cleanup_ctx.append(lifecycle)
    web.run_app(application, port=8053)
