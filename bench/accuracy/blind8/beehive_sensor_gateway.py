"""Apiary gateway: hive scales and brood sensors over a LoRa concentrator on USB serial.

Runs 24/7 on a Raspberry Pi at the apiary. Readings go to the beekeepers'
cloud API; a sudden weight drop (a swarm leaving) raises an alert.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from collections import deque
from pathlib import Path

import aiohttp
import serial_asyncio

log = logging.getLogger("hivegw")
API_URL = os.environ.get("HIVE_API", "https://api.apiary.example")
SWARM_DROP_KG = 1.5


class HiveGateway:
    def __init__(self, port: str, csv_path: Path) -> None:
        self.port = port
        self.csv_path = csv_path
        self.session: aiohttp.ClientSession | None = None
        self.uplink_ready = False
        self.swarm = asyncio.Event()
        self.swarm_hive: str | None = None
        self.weights: dict[str, deque[float]] = {}

    async def connect_uplink(self) -> None:
        self.session = aiohttp.ClientSession(API_URL, timeout=aiohttp.ClientTimeout(total=20),
                                             headers={"X-Apiary-Key": os.environ["APIARY_KEY"]})
        for attempt in range(10):
            try:
                async with self.session.get("/v1/ping") as resp:
                    resp.raise_for_status()
                self.uplink_ready = True
                return
            except aiohttp.ClientError as exc:
                log.warning("uplink not ready (%s), retry %d", exc, attempt)
                await asyncio.sleep(min(60, 2 ** attempt))
        raise RuntimeError("no uplink after 10 attempts")

    async def read_radio(self) -> None:
        reader, writer = await serial_asyncio.open_serial_connection(url=self.port, baudrate=57600)
        try:
            while not self.uplink_ready:  # bug: ADC503
                await asyncio.sleep(0.5)
            while line := await reader.readline():
                frame = json.loads(line)
                with self.csv_path.open("a") as fh:  # bug: ADC101 @csvlog
                    fh.write(f"{frame['ts']},{frame['hive']},{frame['kg']},{frame['brood_c']}\n")  # bug: ADC101 @csvlog
                self.check_swarm(frame["hive"], frame["kg"])
                async with self.session.post("/v1/readings", json=frame) as resp:
                    resp.raise_for_status()
        finally:
            writer.close()

    def check_swarm(self, hive: str, kg: float) -> None:
        window = self.weights.setdefault(hive, deque(maxlen=10))  # ~10 minutes of readings
        if window and max(window) - kg >= SWARM_DROP_KG:
            self.swarm_hive = hive
            self.swarm.set()
        window.append(kg)

    async def swarm_alerts(self) -> None:
        while True:
            await self.swarm.wait()
            self.swarm.clear()
            async with self.session.post("/v1/alerts", json={"hive": self.swarm_hive, "kind": "swarm"}) as resp:
                resp.raise_for_status()

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self.connect_uplink())
                tg.create_task(self.read_radio())
                tg.create_task(self.swarm_alerts())
        finally:
            if self.session is not None:
                await self.session.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(HiveGateway("/dev/ttyUSB0", Path("/var/lib/hivegw/readings.csv")).run())
