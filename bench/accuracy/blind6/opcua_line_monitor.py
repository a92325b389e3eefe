"""Bottling line monitor: reads OPC-UA tags and trips the line on over-pressure."""
import asyncio
import logging

from asyncua import Client, ua

log = logging.getLogger("line_monitor")

ENDPOINT = "opc.tcp://plc-line3.factory.local:4840"
PRESSURE_NODE = "ns=2;s=Line3.Filler.Pressure"
SPEED_NODE = "ns=2;s=Line3.Conveyor.Speed"
TRIP_NODE = "ns=2;s=Line3.Safety.Trip"
MAX_BAR = 6.5


class LineMonitor:
    def __init__(self, endpoint: str) -> None:
        self.client = Client(url=endpoint, timeout=8)
        self.connected = False
        self.samples: list[float] = []

    async def connect(self) -> None:
        await self.client.connect()
        self.connected = True

    async def wait_ready(self) -> None:
        while not self.connected:  # bug: ADC503
            await asyncio.sleep(0.05)

    async def trip(self, reason: str) -> None:
        log.error("tripping line 3: %s", reason)
        node = self.client.get_node(TRIP_NODE)
        node.write_value(ua.DataValue(ua.Variant(True, ua.VariantType.Boolean)))  # bug: ADC201
        speed = self.client.get_node(SPEED_NODE)
        await speed.write_value(ua.DataValue(ua.Variant(0.0, ua.VariantType.Double)))

    async def watch_pressure(self, period: float = 0.5) -> None:
        await self.wait_ready()
        node = self.client.get_node(PRESSURE_NODE)
        while True:
            bar = await node.read_value()
            self.samples.append(bar)
            del self.samples[:-120]
            if bar > MAX_BAR:
                await self.trip(f"pressure {bar:.2f} bar")
            await asyncio.sleep(period)

    async def wait_for_restart(self) -> None:
        # the PLC clears the trip bit itself once an operator resets the line
        node = self.client.get_node(TRIP_NODE)
        async with asyncio.timeout(3600):
            while await node.read_value():
                await asyncio.sleep(2)

    async def close(self) -> None:
        if self.connected:
            await self.client.disconnect()
            self.connected = False


async def main() -> None:
    monitor = LineMonitor(ENDPOINT)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(monitor.connect())
            tg.create_task(monitor.watch_pressure())
    finally:
        await monitor.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
