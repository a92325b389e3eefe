"""Office presence from BLE badge advertisements (bleak passive scanning)."""
import asyncio
import contextlib
import logging
import time

import httpx
from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

log = logging.getLogger("presence")

BADGE_COMPANY_ID = 0x0A11
PRESENCE_API = "http://desk-booking.internal/api/presence"
AWAY_AFTER = 180.0


class Tracker:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.last_seen: dict[str, float] = {}
        self.changed = asyncio.Event()
        self.pending: set[str] = set()
        self._posts: set[asyncio.Task] = set()

    def on_advert(self, device: BLEDevice, adv: AdvertisementData) -> None:
        payload = adv.manufacturer_data.get(BADGE_COMPANY_ID)
        if payload is None:
            return
        badge = payload[:6].hex()
        if badge not in self.last_seen or time.monotonic() - self.last_seen[badge] > AWAY_AFTER:
            self.pending.add(badge)
            self.changed.set()
        self.last_seen[badge] = time.monotonic()

    async def report(self, badges: set[str] | list[str], present: bool) -> None:
        if not badges:
            return
        try:
            await self.http.post(PRESENCE_API, json={"badges": sorted(badges), "present": present})
        except httpx.HTTPError as exc:
            log.warning("presence update for %d badges failed: %s", len(badges), exc)

    async def heartbeat(self) -> None:
        try:
            await self.http.post(f"{PRESENCE_API}/scanners/lobby", json={"in_range": len(self.last_seen)})
        except httpx.HTTPError as exc:
            log.warning("scanner heartbeat failed: %s", exc)

    async def publisher(self) -> None:
        while True:
            await self.changed.wait()
            self.changed.clear()
            arrived, self.pending = self.pending, set()
            task = asyncio.create_task(self.report(arrived, True))
            self._posts.add(task)
            task.add_done_callback(self._posts.discard)

    async def sweeper(self) -> None:
        while True:
            await asyncio.sleep(30)
            now = time.monotonic()
            gone = [b for b, t in self.last_seen.items() if now - t > AWAY_AFTER]
            for badge in gone:
                del self.last_seen[badge]
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self.report(gone, False))
                tg.create_task(self.heartbeat())


async def main() -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        tracker = Tracker(http)
        async with BleakScanner(detection_callback=tracker.on_advert, scanning_mode="passive"):
            workers = [asyncio.create_task(tracker.publisher()), asyncio.create_task(tracker.sweeper())]
            try:
                await asyncio.Event().wait()
            finally:
                for w in workers:
                    w.cancel()
                for w in workers:
                    with contextlib.suppress(asyncio.CancelledError):
                        await w


if __name__ == "__main__":
    asyncio.run(main())
