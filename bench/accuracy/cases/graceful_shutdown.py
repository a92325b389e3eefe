import asyncio
import logging
import signal

from aiohttp import web

log = logging.getLogger(__name__)


class Server:
    def __init__(self, app: web.Application, port: int = 8080) -> None:
        self.app = app
        self.port = port
        self.runner = web.AppRunner(app)
        self.stopped = asyncio.Event()

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "0.0.0.0", self.port)
        await site.start()
        log.info("listening on :%d", self.port)

    async def shutdown(self) -> None:
        log.info("shutting down")
        await self.runner.cleanup()
        self.stopped.set()

    def _on_signal(self, signum: int) -> None:
        log.info("got signal %s", signal.Signals(signum).name)
        self.shutdown()  # bug: ADC201

    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig)

    async def serve_forever(self) -> None:
        await self.start()
        self.install_signal_handlers()
        await self.stopped.wait()


if __name__ == "__main__":
    asyncio.run(Server(web.Application()).serve_forever())
