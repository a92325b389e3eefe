"""Server-side feature-flag SDK: streams flag changes over SSE and batches impressions."""
import asyncio
import json
import logging
import threading

import httpx

log = logging.getLogger("flags-sdk")


class FlagClient:
    def __init__(self, base_url: str, sdk_key: str, flush_interval: float = 10.0) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, headers={"Authorization": sdk_key}, timeout=None)
        self.flush_interval = flush_interval
        self.flags: dict[str, dict] = {}
        self.initialized = asyncio.Event()
        self._flags_lock = threading.Lock()  # sync callers in worker threads read flags
        self._impressions: list[dict] = []
        self._flush_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []

    def is_enabled(self, key: str, default: bool = False) -> bool:
        with self._flags_lock:
            flag = self.flags.get(key)
        self._impressions.append({"flag": key, "value": bool(flag and flag["on"])})
        return bool(flag["on"]) if flag else default

    async def _apply(self, event: dict) -> None:
        with self._flags_lock:
            if event["kind"] == "put":
                self.flags = {f["key"]: f for f in event["flags"]}
            elif event["kind"] == "patch":
                self.flags[event["flag"]["key"]] = event["flag"]
            elif event["kind"] == "delete":
                self.flags.pop(event["key"], None)
        self.initialized.set()

    async def _stream(self) -> None:
        async with self.http.stream("GET", "/sdk/stream") as resp:
            async for line in resp.aiter_lines():
                if line.startswith("data:"):
                    await self._apply(json.loads(line[5:]))

    async def flush(self) -> None:
        async with self._flush_lock:
            batch, self._impressions = self._impressions, []
            if batch:
                await self.http.post("/sdk/impressions", json=batch)

    async def _flusher(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.flush_interval)
                await self.flush()
        except asyncio.CancelledError:
            await self.flush()
            raise

    def _log_exit(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception():
            log.error("flag task crashed", exc_info=task.exception())

    async def start(self, timeout: float = 5.0) -> None:
        for coro in (self._stream(), self._flusher()):
            task = asyncio.create_task(coro)
            task.add_done_callback(self._log_exit)
            self._tasks.append(task)
        await asyncio.wait_for(self.initialized.wait(), timeout)

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.http.aclose()
