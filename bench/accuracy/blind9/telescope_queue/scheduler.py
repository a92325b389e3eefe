"""Runs the night's observation queue."""
from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

import aiofiles
import aiohttp

from . import camera, mount
from .state import ObservatoryState, serve_status

log = logging.getLogger("telescope.scheduler")
SAFETY_PARK_AFTER = 6 * 3600
WEATHER_URL = "http://boltwood.local/api/conditions"


@dataclass
class Request:
    target: str
    ra: str
    dec: str
    exposure_s: float
    count: int


class NightRunner:
    def __init__(self, queue: list[Request], frames_dir: str) -> None:
        self.queue = queue
        self.frames_dir = frames_dir
        self.state = ObservatoryState()
        self.link = mount.MountLink("mount-bridge.local")
        self.dome_open = False

    async def watch_dome(self, session: aiohttp.ClientSession) -> None:
        while True:
            async with session.get("http://dome.local/status") as resp:
                self.dome_open = (await resp.json())["shutter"] == "open"
            await asyncio.sleep(10)

    async def safe_to_observe(self, session: aiohttp.ClientSession) -> bool:
        async with session.get(WEATHER_URL) as resp:
            cond = await resp.json()
        return cond["cloud"] == "clear" and cond["rain"] == "dry"

    async def observe(self, cam: camera.AlpacaCamera, req: Request) -> None:
        await mount.slew(self.link, req.ra, req.dec)
        for n in range(req.count):
            with self.state.lock:  # bug: ADC102
                self.state.current_target = req.target
                await cam.expose(req.exposure_s)
                self.state.exposures_done += 1
            data = await cam.download()
            path = f"{self.frames_dir}/{req.target}-{n:03d}.img"
            async with aiofiles.open(path, "wb") as fh:
                await fh.write(data)
            with self.state.lock:
                self.state.frames.append(path)

    async def run(self) -> None:
        threading.Thread(target=serve_status, args=(self.state,), daemon=True).start()
        await self.link.connect()
        loop = asyncio.get_running_loop()
        loop.call_later(SAFETY_PARK_AFTER, mount.park, self.link)  # bug: ADC202
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            dome_task = asyncio.create_task(self.watch_dome(session))
            cam = camera.AlpacaCamera(session, "http://pier-pc.local:11111")
            try:
                while not self.dome_open:  # bug: ADC503
                    await asyncio.sleep(0.5)
                for req in self.queue:
                    # external conditions: ask the weather station before each target
                    while not await self.safe_to_observe(session):
                        await asyncio.sleep(300)
                    await self.observe(cam, req)
            finally:
                dome_task.cancel()
                await mount.park(self.link)
                await self.link.close()
