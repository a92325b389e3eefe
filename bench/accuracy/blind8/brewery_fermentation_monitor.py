"""Fermentation monitor for a craft brewery's cellar.

Tilt hydrometers float in each fermenter and advertise gravity and
temperature over BLE (iBeacon). Readings are pushed to Brewfather every 15
minutes; when a batch reaches its target gravity the brewer gets a message,
and the glycol chiller is told to crash-cool that tank.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import struct
from dataclasses import dataclass

import httpx
from bleak import BleakScanner

log = logging.getLogger("tilt")
TILT_UUIDS = {"a495bb10c5b14b44b5121370f02d74de": "red", "a495bb20c5b14b44b5121370f02d74de": "green",
              "a495bb30c5b14b44b5121370f02d74de": "black"}
BATCHES = {"red": ("FV1 Pils", 1.010), "green": ("FV2 Saison", 1.004), "black": ("FV3 Stout", 1.016)}
PUSH_EVERY = 15 * 60


@dataclass
class Reading:
    colour: str
    temp_f: int
    gravity: float


class Monitor:
    def __init__(self) -> None:
        self.latest: dict[str, Reading] = {}
        self.readings: asyncio.Queue[Reading] = asyncio.Queue(maxsize=1000)
        self.finished: asyncio.Queue[str] = asyncio.Queue()
        self.done_tanks: set[str] = set()
        self.stop = asyncio.Event()

    def on_advertisement(self, device, adv) -> None:
        data = adv.manufacturer_data.get(0x004C)
        if not data or len(data) < 23:
            return
        colour = TILT_UUIDS.get(data[2:18].hex())
        if colour is None:
            return
        temp_f, sg = struct.unpack(">HH", data[18:22])
        if not self.readings.full():
            self.readings.put_nowait(Reading(colour, temp_f, sg / 1000))

    async def consume(self) -> None:
        while True:
            r = await self.readings.get()
            self.latest[r.colour] = r
            if r.gravity <= BATCHES[r.colour][1] and r.colour not in self.done_tanks:
                self.done_tanks.add(r.colour)
                self.finished.put_nowait(r.colour)

    async def push_one(self, http: httpx.AsyncClient, r: Reading) -> None:
        resp = await http.post(os.environ["BREWFATHER_STREAM_URL"], json={
            "name": f"Tilt {r.colour}", "temp": r.temp_f, "temp_unit": "F", "gravity": r.gravity,
            "gravity_unit": "G", "beer": BATCHES[r.colour][0]})
        if resp.status_code == 429:
            log.info("Brewfather throttled tilt %s; next round", r.colour)

    async def push_loop(self, http: httpx.AsyncClient) -> None:
        while not self.stop.is_set():
            # at most one reading per Tilt colour, i.e. three posts
            await asyncio.gather(*(self.push_one(http, r) for r in list(self.latest.values())))
            try:
                await asyncio.wait_for(self.stop.wait(), PUSH_EVERY)
            except TimeoutError:
                pass

    async def crash_cool(self, http: httpx.AsyncClient) -> None:
        while True:
            colour = await self.finished.get()
            name, _ = BATCHES[colour]
            resp = await http.post(os.environ["CHILLER_URL"], json={"tank": name.split()[0], "setpoint_c": 1.0})
            resp.raise_for_status()
            await http.post(os.environ["NTFY_URL"], content=f"{name} reached target gravity, crash-cooling")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        async with httpx.AsyncClient(timeout=15) as http, BleakScanner(self.on_advertisement):
            tasks = [asyncio.create_task(c) for c in (self.consume(), self.push_loop(http), self.crash_cool(http))]
            await self.stop.wait()
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Monitor().run())
