import asyncio
import logging
import signal

from aiohttp import web

log = logging.getLogger("svc")


class Service:
    def __init__(self, port: int = 8080) -> None:
        self.port = port
        self._stopped = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def _report_metrics(self) -> None:
        while not self._stopped.is_set():
            log.info("requests served: %d", self.app["hits"])
            await asyncio.sleep(60)

    async def _hello(self, request: web.Request) -> web.Response:
        request.app["hits"] += 1
        return web.Response(text="hello")

    async def shutdown(self, reason: str) -> None:
        log.info("shutting down (%s)", reason)
        if self._runner is not None:
            await self._runner.cleanup()
        self._stopped.set()

    def _on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        log.info("received %s", name)
        self.shutdown(reason=name)  # bug: ADC201

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_signal, sig)

        self.app = web.Application()
        self.app["hits"] = 0
        self.app.router.add_get("/", self._hello)
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "0.0.0.0", self.port).start()

        asyncio.create_task(self._report_metrics())  # bug: ADC301
        await self._stopped.wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Service().run())
