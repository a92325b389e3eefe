"""Combined-sewer flow monitoring: ultrasonic level sensors to InfluxDB."""
from __future__ import annotations

import asyncio
import logging
import math
from time import sleep as pause

from influxdb_client import Point
from influxdb_client.client.influxdb_client_async import InfluxDBClientAsync
from pymodbus.client import AsyncModbusSerialClient
from pymodbus.exceptions import ModbusException

log = logging.getLogger("sewerflow")
CHAMBERS = {1: ("CSO-07 Mill Lane", 1.20), 2: ("CSO-11 Quay St", 0.90), 3: ("PS-3 inlet", 1.50)}


def manning_flow(level_m: float, diameter_m: float) -> float:
    """Part-full circular pipe, Manning's n = 0.013, slope 1:300."""
    r = diameter_m / 2
    h = min(level_m, diameter_m)
    theta = 2 * math.acos((r - h) / r)
    area = r * r * (theta - math.sin(theta)) / 2
    wetted = r * theta
    return area * (area / wetted) ** (2 / 3) * (1 / 300) ** 0.5 / 0.013 if wetted else 0.0


class FlowGateway:
    def __init__(self, port: str) -> None:
        self.modbus = AsyncModbusSerialClient(port, baudrate=9600, timeout=2)
        self.calibrating = True
        self.first_reading = asyncio.Event()
        self.zero_offsets: dict[int, float] = {}

    async def read_level(self, unit: int) -> float:
        for attempt in range(3):
            try:
                rr = await self.modbus.read_holding_registers(0, count=1, slave=unit)
                return rr.registers[0] / 1000 - self.zero_offsets.get(unit, 0.0)
            except ModbusException:
                log.warning("sensor %s did not answer (try %d)", unit, attempt + 1)
                pause(0.5 * (attempt + 1))  # bug: ADC101
        raise TimeoutError(f"sensor {unit} unreachable")

    async def calibrate(self) -> None:
        # the bus is half-duplex RS-485: one sensor at a time
        for unit in CHAMBERS:
            rr = await self.modbus.read_holding_registers(10, count=1, slave=unit)
            self.zero_offsets[unit] = rr.registers[0] / 1000
        self.calibrating = False

    async def sample_forever(self, influx: InfluxDBClientAsync) -> None:
        write_api = influx.write_api()
        while self.calibrating:  # bug: ADC503
            await asyncio.sleep(0.1)
        while True:
            points = []
            # same half-duplex bus: the sensors are polled in turn
            for unit, (name, diameter) in CHAMBERS.items():
                level = await self.read_level(unit)
                points.append(
                    Point("flow").tag("chamber", name).field("level_m", level).field(
                        "flow_m3s", manning_flow(level, diameter)
                    )
                )
            await write_api.write(bucket="sewer", record=points)
            self.first_reading.set()
            await asyncio.sleep(15)

    async def report_ready(self) -> None:
        await self.first_reading.wait()
        log.info("first flow readings written for %d chambers", len(CHAMBERS))

    async def run(self) -> None:
        await self.modbus.connect()
        async with InfluxDBClientAsync(url="http://influx:8086", token="sewer-writer", org="utility") as influx:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self.calibrate())
                tg.create_task(self.sample_forever(influx))
                tg.create_task(self.report_ready())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(FlowGateway("/dev/ttyRS485").run())
