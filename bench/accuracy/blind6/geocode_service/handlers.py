"""HTTP handlers."""
import asyncio

from aiohttp import web

MAX_BATCH = 100
_upstream_slots = asyncio.Semaphore(16)


async def _lookup(request: web.Request, query: str) -> dict | None:
    async def fetch() -> dict | None:
        async with _upstream_slots:
            async with request.app["http"].get("/search", params={"q": query, "format": "jsonv2", "limit": 1}) as resp:
                hits = await resp.json() if resp.status == 200 else []
        return {"lat": float(hits[0]["lat"]), "lon": float(hits[0]["lon"])} if hits else None

    return await request.app["cache"].get_or_fetch(query.strip().lower(), fetch)


async def geocode(request: web.Request) -> web.Response:
    query = request.query.get("q", "")
    if not query:
        raise web.HTTPBadRequest(text="q is required")
    return web.json_response({"q": query, "result": await _lookup(request, query)})


async def batch_geocode(request: web.Request) -> web.Response:
    queries = (await request.json())["queries"]
    if len(queries) > MAX_BATCH:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BATCH, actual_size=len(queries))
    results = await asyncio.gather(*(_lookup(request, q) for q in queries))
    return web.json_response({"results": dict(zip(queries, results))})


async def health(request: web.Request) -> web.Response:
    try:
        async with asyncio.timeout(2):
            async with request.app["http"].get("/status") as resp:
                ok = resp.status == 200
    except (TimeoutError, OSError):
        ok = False
    return web.json_response({"upstream": ok}, status=200 if ok else 503)
