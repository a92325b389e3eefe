"""BLE gateway: reads greenhouse soil sensors with bleak and forwards to InfluxDB."""
import asyncio
import logging
import struct
import time

from bleak import BleakClient, BleakScanner
from influxdb_client.client.influxdb_client_async import InfluxDBClientAsync

log = logging.getLogger("ble_gateway")

SOIL_SERVICE_NAME = "SoilProbe"
MOISTURE_CHAR = "0000ff01-0000-1000-8000-00805f9b34fb"
BATTERY_CHAR = "00002a19-0000-1000-8000-00805f9b34fb"


class Gateway:
    def __init__(self, influx: InfluxDBClientAsync, bucket: str) -> None:
        self.write_api = influx.write_api()
        self.bucket = bucket
        self.readings: asyncio.Queue[tuple[str, float, int]] = asyncio.Queue(maxsize=500)
        self.radio = asyncio.Semaphore(3)  # the adapter holds few links at once

    async def discover(self) -> list:
        devices = await BleakScanner.discover(timeout=8.0)
        return [d for d in devices if (d.name or "").startswith(SOIL_SERVICE_NAME)]

    async def read_probe(self, device) -> None:
        async with self.radio, BleakClient(device, timeout=15.0) as client:
            raw = await client.read_gatt_char(MOISTURE_CHAR)
            battery = await client.read_gatt_char(BATTERY_CHAR)
        moisture = struct.unpack("<H", raw[:2])[0] / 100.0
        await self.readings.put((device.address, moisture, battery[0]))

    async def sweep(self) -> None:
        scan = asyncio.create_task(self.discover())  # bug: ADC302
        probes = await scan
        async with asyncio.TaskGroup() as tg:
            for device in probes:
                tg.create_task(self.read_probe(device))

    async def forward(self) -> None:
        while True:
            address, moisture, battery = await self.readings.get()
            record = {
                "measurement": "soil",
                "tags": {"probe": address},
                "fields": {"moisture": moisture, "battery": battery},
                "time": time.time_ns(),
            }
            try:
                await self.write_api.write(bucket=self.bucket, record=record)
            except asyncio.CancelledError:  # bug: ADC601
                log.warning("forward cancelled while writing %s", address)
            except Exception:
                log.exception("influx write failed")
            finally:
                self.readings.task_done()

    async def run(self, every: float = 300.0) -> None:
        forwarder = asyncio.create_task(self.forward())
        try:
            while True:
                try:
                    await asyncio.wait_for(self.sweep(), timeout=90)
                except Exception:
                    log.exception("sweep failed")
                await asyncio.sleep(every)
        finally:
            forwarder.cancel()


async def main() -> None:
    async with InfluxDBClientAsync(url="http://influx:8086", token="TOKEN", org="farm") as influx:
        await Gateway(influx, "greenhouse").run()


if __name__ == "__main__":
    asyncio.run(main())
