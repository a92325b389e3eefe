"""Planetarium show control: loads the day's programme and drives the dome projector."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from datetime import datetime, timedelta

import aiohttp

log = logging.getLogger("planetarium")
TICKETING_API = "https://tickets.science-centre.example/api"
PROJECTOR = "http://dome-media-server.local:9090"
REFRESH_EVERY = 30 * 60


class ShowControl:
    def __init__(self) -> None:
        self.programme: list[dict] = []
        self.programme_changed = asyncio.Event()

    async def refresh_programme(self) -> None:
        # a fresh session every half hour is fine: nothing else talks to the ticketing API
        while True:
            async with aiohttp.ClientSession(headers={"X-Key": os.environ["TICKETS_KEY"]}) as session:
                async with session.get(f"{TICKETING_API}/shows", params={"date": datetime.now().date().isoformat()}) as r:
                    r.raise_for_status()
                    self.programme = sorted(await r.json(), key=lambda s: s["starts"])
            self.programme_changed.set()
            log.info("programme has %d shows", len(self.programme))
            await asyncio.sleep(REFRESH_EVERY)

    async def projector_state(self, session: aiohttp.ClientSession) -> str:
        async with session.get(f"{PROJECTOR}/api/playback") as r:
            return (await r.json())["state"]

    async def play(self, session: aiohttp.ClientSession, show: dict) -> None:
        async with session.post(f"{PROJECTOR}/api/load", json={"clip": show["clip"]}) as r:
            r.raise_for_status()
        # the media server loads the clip on its own; poll it until it is cued
        async with asyncio.timeout(120):
            while await self.projector_state(session) != "cued":
                await asyncio.sleep(2)
        async with session.post(f"{PROJECTOR}/api/play") as r:
            r.raise_for_status()
        await asyncio.sleep(show["duration_s"])

    async def run_day(self, session: aiohttp.ClientSession) -> None:
        played: set[str] = set()
        while True:
            now = datetime.now()
            upcoming = [
                s for s in self.programme
                if s["id"] not in played and datetime.fromisoformat(s["starts"]) > now - timedelta(minutes=1)
            ]
            if not upcoming:
                self.programme_changed.clear()
                await self.programme_changed.wait()
                continue
            show = upcoming[0]
            # shows start at their advertised time, one after another on the one dome
            await asyncio.sleep(max((datetime.fromisoformat(show["starts"]) - now).total_seconds(), 0))
            try:
                await self.play(session, show)
            except (aiohttp.ClientError, TimeoutError):
                log.exception("show %s could not be played", show["id"])
            played.add(show["id"])


async def main() -> None:
    control = ShowControl()
    refresher = asyncio.create_task(control.refresh_programme())
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
            await control.run_day(session)
    finally:
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
