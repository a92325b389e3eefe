"""Label printer queue: jobs arrive over HTTP, one printer prints them in order."""
import asyncio
import logging
from collections import deque

from aiohttp import web

log = logging.getLogger("printq")


class PrintQueue:
    def __init__(self, printer_host: str, printer_port: int = 9100) -> None:
        self.host = printer_host
        self.port = printer_port
        self._jobs: deque[bytes] = deque()
        self._cond = asyncio.Condition()
        self.idle = asyncio.Event()
        self.idle.set()

    async def submit(self, zpl: bytes) -> int:
        async with self._cond:
            self._jobs.append(zpl)
            self.idle.clear()
            self._cond.notify()
            return len(self._jobs)

    async def run(self) -> None:
        while True:
            async with self._cond:
                await self._cond.wait_for(lambda: bool(self._jobs))
                job = self._jobs.popleft()
            await self._print(job)
            if not self._jobs:
                self.idle.set()

    async def _print(self, zpl: bytes) -> None:
        # raw port 9100: the printer hangs up after every job, so each job needs its own connection
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(zpl)
            await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()


async def stats_loop(q: PrintQueue) -> None:
    # periodic report: does its work on every tick
    while True:
        log.info("queued labels: %d", len(q._jobs))
        await asyncio.sleep(30)


async def on_startup(app: web.Application) -> None:
    q = PrintQueue("10.0.5.21")
    app["queue"] = q
    app["tasks"] = [asyncio.create_task(q.run()), asyncio.create_task(stats_loop(q))]


async def on_cleanup(app: web.Application) -> None:
    await asyncio.wait_for(app["queue"].idle.wait(), timeout=30)
    for t in app["tasks"]:
        t.cancel()
    await asyncio.gather(*app["tasks"], return_exceptions=True)


async def submit(request: web.Request) -> web.Response:
    position = await request.app["queue"].submit(await request.read())
    return web.json_response({"position": position})


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/labels", submit)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8088)
