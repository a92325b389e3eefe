import asyncio
import logging

from aiohttp import web

log = logging.getLogger(__name__)


class InflightTracker:
    """Counts requests in progress so shutdown can wait for them to finish."""

    def __init__(self) -> None:
        self.count = 0

    @web.middleware
    async def middleware(self, request: web.Request, handler):
        self.count += 1
        try:
            return await handler(request)
        finally:
            self.count -= 1

    async def drain(self, grace: float = 25.0) -> None:
        log.info("waiting for %d in-flight requests", self.count)
        try:
            async with asyncio.timeout(grace):
                while self.count > 0:  # bug: ADC503
                    await asyncio.sleep(0.05)
        except TimeoutError:
            log.warning("%d requests still running after %.0fs", self.count, grace)


def make_app() -> web.Application:
    tracker = InflightTracker()
    app = web.Application(middlewares=[tracker.middleware])

    async def on_shutdown(app: web.Application) -> None:
        await tracker.drain()

    app.on_shutdown.append(on_shutdown)
    return app
