from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass

log = logging.getLogger("notify_hub")


@dataclass(frozen=True)
class Notification:
    channel: str
    recipient: str
    text: str


class Dispatcher:
    def __init__(self, channels: dict, max_in_flight: int = 50) -> None:
        self._channels = channels
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._background: set[asyncio.Task[None]] = set()
        self._stats_lock = threading.Lock()
        self._stats: Counter[str] = Counter()

    def stats(self) -> dict[str, int]:
        with self._stats_lock:
            return dict(self._stats)

    async def _deliver(self, note: Notification) -> bool:
        async with self._in_flight:
            started = time.perf_counter()
            try:
                await self._channels[note.channel].send(note.recipient, note.text)
            except Exception:
                log.exception("delivery to %s via %s failed", note.recipient, note.channel)
                ok = False
            else:
                ok = True
        with self._stats_lock:
            self._stats[f"{note.channel}.{'ok' if ok else 'failed'}"] += 1
            self._stats[f"{note.channel}.ms"] += int((time.perf_counter() - started) * 1000)
        return ok

    async def send_all(self, notes: list[Notification]) -> int:
        results = await asyncio.gather(*(self._deliver(n) for n in notes))
        return sum(results)

    def send_later(self, note: Notification) -> None:
        task = asyncio.create_task(self._deliver(note))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
