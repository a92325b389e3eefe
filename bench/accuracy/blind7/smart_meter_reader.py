"""Read the sub-meters of the office building over Modbus TCP every 10 s and
publish the readings to MQTT for the energy dashboard.
"""
import asyncio
import json
import logging
import struct
import time
from dataclasses import dataclass, field

import aiomqtt
from pymodbus.client import AsyncModbusTcpClient

log = logging.getLogger("meters")

BLOCK_START, BLOCK_LEN = 0x0034, 22  # Eastron SDM630: total W (0x34) .. import kWh (0x48)


@dataclass
class Meter:
    name: str
    host: str
    unit: int = 1
    client: AsyncModbusTcpClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = AsyncModbusTcpClient(self.host, port=502, timeout=3)

    async def read(self) -> dict:
        if not self.client.connected:
            await self.client.connect()
        block = await self.client.read_input_registers(BLOCK_START, count=BLOCK_LEN, slave=self.unit)
        regs = block.registers
        watts = struct.unpack(">f", struct.pack(">HH", regs[0], regs[1]))[0]
        kwh = struct.unpack(">f", struct.pack(">HH", regs[20], regs[21]))[0]
        return {"watts": round(watts, 1), "kwh": round(kwh, 3)}


class Reader:
    def __init__(self, meters: list[Meter]) -> None:
        self.meters = meters
        self.mqtt_ready = False
        self.outbox: asyncio.Queue[tuple[str, dict]] = asyncio.Queue(maxsize=500)

    async def mqtt_loop(self) -> None:
        async with aiomqtt.Client("mqtt.office.lan", identifier="meter-reader") as client:
            self.mqtt_ready = True
            while True:
                name, reading = await self.outbox.get()
                await client.publish(f"energy/{name}", json.dumps(reading), qos=1, retain=True)

    async def poll_loop(self) -> None:
        while not self.mqtt_ready:  # bug: ADC503
            await asyncio.sleep(0.2)
        while True:
            started = time.monotonic()
            for meter in self.meters:
                try:
                    reading = await meter.read()  # bug: ADC501
                except Exception as exc:
                    log.warning("%s: %s", meter.name, exc)
                    continue
                await self.outbox.put((meter.name, dict(reading, ts=int(time.time()))))
            await asyncio.sleep(max(0.0, 10 - (time.monotonic() - started)))

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self.mqtt_loop())
                tg.create_task(self.poll_loop())
        finally:
            for meter in self.meters:
                meter.client.close()


METERS = [
    ("ground-floor", "10.20.0.11", 1),
    ("first-floor", "10.20.0.12", 1),
    ("second-floor", "10.20.0.13", 1),
    ("hvac", "10.20.0.14", 1),
    ("ev-chargers", "10.20.0.15", 1),
    ("kitchen", "10.20.0.16", 2),
]


async def main() -> None:
    await Reader([Meter(name, host, unit) for name, host, unit in METERS]).run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
