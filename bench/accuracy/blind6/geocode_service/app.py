"""aiohttp application setup: one upstream session for the process."""
import aiohttp
from aiohttp import web

from .cache import GeoCache
from .handlers import batch_geocode, geocode, health


async def _client_ctx(app: web.Application):
    app["http"] = aiohttp.ClientSession(
        base_url="https://nominatim.internal",
        headers={"User-Agent": "geocode-service/3.2"},
        timeout=aiohttp.ClientTimeout(total=8),
    )
    app["cache"] = GeoCache(max_items=50_000)
    yield
    await app["http"].close()


def build_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(_client_ctx)
    app.router.add_get("/geocode", geocode)
    app.router.add_post("/geocode/batch", batch_geocode)
    app.router.add_get("/healthz", health)
    return app
