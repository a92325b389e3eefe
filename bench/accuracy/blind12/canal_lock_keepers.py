"""Automation for a flight of three locks on a hire-boat canal.

A serial thread reads the upper, chamber and lower water levels from the
float gauges and keeps them in a shared object. The async controller runs
lock cycles through the paddle and gate PLC (Modbus TCP) and reports to
the lock-keeper's tablet over MQTT. The queue of boats waiting comes from
the hire-boat companies' booking API; `boat_queue_sync` is what the
keeper's command-line tool uses.
"""
import asyncio
import json
import logging
import threading

import aiohttp
import aiomqtt
import serial
from pymodbus.client import AsyncModbusTcpClient

log = logging.getLogger("lock-flight")

PLC_HOST = "10.20.0.5"
BROKER = "10.20.0.2"
BOOKINGS = "https://bookings.canalhire.example/api/locks/flight-7/queue"
PADDLE_COILS = {"upper": 0, "lower": 1}
GATE_COILS = {"upper": 2, "lower": 3}
LEVEL_TOLERANCE_MM = 15


class Levels:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.upper_mm = self.chamber_mm = self.lower_mm = 0

    def reader(self, port: str, stop: threading.Event) -> None:
        with serial.Serial(port, 9600, timeout=1) as gauge:
            while not stop.is_set():
                line = gauge.readline().decode(errors="ignore").strip()
                if line.count(",") == 2:
                    upper, chamber, lower = (int(v) for v in line.split(","))
                    with self.lock:
                        self.upper_mm, self.chamber_mm, self.lower_mm = upper, chamber, lower

    def snapshot(self) -> tuple[int, int, int]:
        with self.lock:
            return self.upper_mm, self.chamber_mm, self.lower_mm


async def fetch_queue() -> list[dict]:
    async with aiohttp.ClientSession() as session:
        async with session.get(BOOKINGS) as resp:
            resp.raise_for_status()
            return await resp.json()


def boat_queue_sync() -> list[dict]:
    return asyncio.run(fetch_queue())


class Flight:
    def __init__(self, levels: Levels, plc: AsyncModbusTcpClient, mqtt: aiomqtt.Client) -> None:
        self.levels = levels
        self.plc = plc
        self.mqtt = mqtt

    async def _wait_level(self, pair: str) -> None:
        async with asyncio.timeout(900):
            while True:
                upper, chamber, lower = self.levels.snapshot()
                other = upper if pair == "upper" else lower
                if abs(other - chamber) <= LEVEL_TOLERANCE_MM:
                    return
                await asyncio.sleep(2)

    async def fill_chamber(self) -> None:
        with self.levels.lock:  # bug: ADC102
            if self.levels.upper_mm - self.levels.chamber_mm <= LEVEL_TOLERANCE_MM:
                return
            await self.plc.write_coil(PADDLE_COILS["upper"], True)
        await self._wait_level("upper")
        await self.plc.write_coil(PADDLE_COILS["upper"], False)

    async def empty_chamber(self) -> None:
        _, chamber, lower = self.levels.snapshot()
        if chamber - lower <= LEVEL_TOLERANCE_MM:
            return
        await self.plc.write_coil(PADDLE_COILS["lower"], True)
        await self._wait_level("lower")
        await self.plc.write_coil(PADDLE_COILS["lower"], False)

    async def cycle(self) -> None:
        queue = boat_queue_sync()  # bug: ADC103
        if not queue:
            return
        boat = queue[0]
        await self.mqtt.publish("locks/flight7/status", json.dumps({"boat": boat["name"], "dir": boat["direction"]}))
        if boat["direction"] == "up":
            await self.empty_chamber()
            await self.plc.write_coil(GATE_COILS["lower"], True)
        else:
            await self.fill_chamber()
            await self.plc.write_coil(GATE_COILS["upper"], True)


async def main(levels: Levels) -> None:
    plc = AsyncModbusTcpClient(PLC_HOST)
    await plc.connect()
    try:
        async with aiomqtt.Client(BROKER) as mqtt:
            flight = Flight(levels, plc, mqtt)
            while True:
                await flight.cycle()
                await asyncio.sleep(30)
    finally:
        plc.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    levels = Levels()
    threading.Thread(target=levels.reader, args=("/dev/ttyUSB0", stop), daemon=True).start()
    try:
        asyncio.run(main(levels))
    finally:
        stop.set()
