"""IPython extension: report kernel liveness and cell timings to the notebook gateway.

The kernel's own event loop belongs to ipykernel, so the reporter runs its
own asyncio loop in a daemon thread and is fed from IPython's sync hooks.
"""
import asyncio
import contextlib
import threading
import time

import httpx

GATEWAY = "https://nb-gateway.internal/api/telemetry"


class Reporter:
    def __init__(self, kernel_id: str) -> None:
        self.kernel_id = kernel_id
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run_loop, name="nb-telemetry", daemon=True)
        self.client: httpx.AsyncClient | None = None
        self._started = 0.0
        self._beat: asyncio.Task | None = None

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def _open(self) -> None:
        self.client = httpx.AsyncClient(timeout=3)
        self._beat = self.loop.create_task(self._heartbeat())

    async def _heartbeat(self) -> None:
        while True:
            await self.client.post(f"{GATEWAY}/heartbeat", json={"kernel": self.kernel_id})
            await asyncio.sleep(15)

    async def _send_timing(self, seconds: float, ok: bool) -> None:
        await self.client.post(f"{GATEWAY}/cells", json={"kernel": self.kernel_id, "s": seconds, "ok": ok})

    async def _close(self) -> None:
        self._beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._beat
        await self.client.aclose()

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), self.loop).result(timeout=5)

    def pre_run_cell(self, info) -> None:
        self._started = time.perf_counter()

    def post_run_cell(self, result) -> None:
        elapsed = time.perf_counter() - self._started
        fut = asyncio.run_coroutine_threadsafe(self._send_timing(elapsed, result.success), self.loop)
        fut.add_done_callback(lambda f: f.exception())  # retrieve, never raise into the kernel

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


_reporter: Reporter | None = None


def load_ipython_extension(ipython) -> None:
    global _reporter
    _reporter = Reporter(ipython.kernel.ident if hasattr(ipython, "kernel") else "local")
    _reporter.start()
    ipython.events.register("pre_run_cell", _reporter.pre_run_cell)
    ipython.events.register("post_run_cell", _reporter.post_run_cell)


def unload_ipython_extension(ipython) -> None:
    ipython.events.unregister("pre_run_cell", _reporter.pre_run_cell)
    ipython.events.unregister("post_run_cell", _reporter.post_run_cell)
    _reporter.stop()
