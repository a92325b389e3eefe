"""Affinage cave controller for a farmhouse cheesemaker.

Two caves hold about 900 wheels of washed-rind and alpine cheese. Humidity
and temperature sensors publish over MQTT; the misting valves are MQTT
relays; the wheel-turning robot has a small HTTP API. The weekly stock
sheet for the cheesemonger is an Excel file.
"""
import asyncio
import contextlib
import datetime as dt
import json
import logging
import signal
import threading

import aiohttp
import aiomqtt
from openpyxl import Workbook

log = logging.getLogger("affinage")

BROKER = "192.168.10.5"
ROBOT = "http://turner.cave.local"
TARGET_RH = {"cave-1": 95.0, "cave-2": 92.0}
MIST_SECONDS = 20
SHEET_PATH = "/srv/share/stock-week-{week}.xlsx"

_sheet_lock = threading.Lock()


def write_stock_sheet(rows: list[tuple], week: int) -> str:
    path = SHEET_PATH.format(week=week)
    with _sheet_lock:
        wb = Workbook()
        ws = wb.active
        ws.append(["wheel", "make", "made on", "cave", "last turned"])
        for row in rows:
            ws.append(list(row))
        wb.save(path)
    return path


class Cave:
    def __init__(self, mqtt: aiomqtt.Client, http: aiohttp.ClientSession) -> None:
        self.mqtt = mqtt
        self.http = http
        self.latest: dict[str, dict] = {}
        self.first_reading = asyncio.Event()
        self.stop = asyncio.Event()
        self._misting: set[asyncio.Task] = set()

    async def mist(self, cave: str) -> None:
        await self.mqtt.publish(f"caves/{cave}/mist/set", "ON")
        try:
            await asyncio.sleep(MIST_SECONDS)
        except asyncio.CancelledError:
            log.info("misting in %s interrupted", cave)
            raise
        finally:
            await self.mqtt.publish(f"caves/{cave}/mist/set", "OFF")

    async def readings(self) -> None:
        await self.mqtt.subscribe("caves/+/climate")
        async for message in self.mqtt.messages:
            cave = message.topic.value.split("/")[1]
            self.latest[cave] = json.loads(message.payload)
            self.first_reading.set()
            if self.latest[cave]["rh"] < TARGET_RH.get(cave, 90.0) - 2 and not self._misting:
                task = asyncio.create_task(self.mist(cave))
                self._misting.add(task)
                task.add_done_callback(self._misting.discard)

    async def turn_shelf(self, shelf: str) -> None:
        async with self.http.post(f"{ROBOT}/jobs", json={"shelf": shelf, "action": "turn"}) as resp:
            resp.raise_for_status()
            job = await resp.json()
        async with asyncio.timeout(900):
            while job["state"] not in ("done", "error"):
                await asyncio.sleep(5)
                async with self.http.get(f"{ROBOT}/jobs/{job['id']}") as resp:
                    job = await resp.json()
        if job["state"] == "error":
            raise RuntimeError(f"turning {shelf} failed: {job.get('message')}")

    async def turning_round(self, shelves: list[str]) -> None:
        for shelf in shelves:
            await self.turn_shelf(shelf)

    async def weekly_sheet(self, rows: list[tuple]) -> str:
        return await asyncio.to_thread(write_stock_sheet, rows, dt.date.today().isocalendar().week)


async def main(shelves: list[str], stock: list[tuple]) -> None:
    async with aiomqtt.Client(BROKER) as mqtt, aiohttp.ClientSession() as http:
        cave = Cave(mqtt, http)
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, cave.stop.set)
        reader = asyncio.create_task(cave.readings())
        await cave.first_reading.wait()
        log.info("caves: %s", cave.latest)
        while not cave.stop.is_set():
            await cave.turning_round(shelves)
            if dt.date.today().weekday() == 0:
                log.info("stock sheet at %s", await cave.weekly_sheet(stock))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(cave.stop.wait(), timeout=6 * 3600)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        for task in list(cave._misting):
            task.cancel()
        await asyncio.gather(*cave._misting, return_exceptions=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    shelves = [f"{c}-{n:02d}" for c in ("A", "B", "C") for n in range(1, 13)]
    asyncio.run(main(shelves, stock=[]))
