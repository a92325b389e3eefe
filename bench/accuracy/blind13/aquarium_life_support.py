"""Life support supervisor for the reef and shark tanks at Saltmarsh Aquarium.

Probes publish temperature, pH and ORP on MQTT. The supervisor doses
kalkwasser when pH drops, starts the chiller (a Modbus unit on the plant
room network) when a tank runs warm, and writes a minute summary for the
aquarists' dashboard.
"""
import asyncio
import csv
import json
import logging
import os
from datetime import datetime
from pathlib import Path

import aiomqtt
from pymodbus.client import AsyncModbusTcpClient

log = logging.getLogger("lifesupport")
TANKS = ("reef", "shark", "jelly")
LIMITS = {"reef": (25.0, 26.5, 8.1), "shark": (23.0, 25.0, 8.0), "jelly": (17.0, 19.0, 8.0)}
CHILLER_COIL = {"reef": 10, "shark": 11, "jelly": 12}
CHILLER_RUNNING_REG = 40
LOG_DIR = Path("/var/log/saltmarsh")


def append_summary(rows: list[dict]) -> None:
    path = LOG_DIR / f"{datetime.now():%Y-%m-%d}.csv"
    new = not path.exists()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["at", "tank", "temp", "ph", "orp"])
        if new:
            writer.writeheader()
        writer.writerows(rows)


class Supervisor:
    def __init__(self, mqtt: aiomqtt.Client, plc: AsyncModbusTcpClient) -> None:
        self.mqtt = mqtt
        self.plc = plc
        self.latest: dict[str, dict] = {tank: {} for tank in TANKS}
        self.first_reading = asyncio.Event()
        self.jobs: dict[tuple[str, str], asyncio.Task] = {}  # (tank, "dose" | "chill") -> task

    async def dose(self, tank: str, millilitres: int) -> None:
        topic = f"saltmarsh/{tank}/doser/set"
        await self.mqtt.publish(topic, json.dumps({"ml": millilitres}), qos=1)
        try:
            await asyncio.sleep(millilitres * 0.6)  # the peristaltic pump runs about 100 ml a minute
        except asyncio.CancelledError:
            await self.mqtt.publish(topic, json.dumps({"ml": 0}), qos=1)
            raise

    async def start_chiller(self, tank: str) -> None:
        await self.plc.write_coil(CHILLER_COIL[tank], True)
        async with asyncio.timeout(90):
            while True:
                reply = await self.plc.read_holding_registers(CHILLER_RUNNING_REG + CHILLER_COIL[tank], count=1)
                if reply.registers[0] == 1:
                    return
                await asyncio.sleep(3)

    def _spawn(self, key: tuple[str, str], coro) -> None:
        task = asyncio.create_task(coro)
        self.jobs[key] = task
        task.add_done_callback(lambda t: self._finished(key, t))

    def _finished(self, key: tuple[str, str], task: asyncio.Task) -> None:
        if self.jobs.get(key) is task:
            del self.jobs[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("%s %s failed: %r", key[0], key[1], task.exception())

    async def on_reading(self, tank: str, reading: dict) -> None:
        self.latest[tank] = reading
        self.first_reading.set()
        low, high, min_ph = LIMITS[tank]
        if reading["ph"] < min_ph and (tank, "dose") not in self.jobs:
            self._spawn((tank, "dose"), self.dose(tank, 50))
        if reading["temp"] > high and (tank, "chill") not in self.jobs:
            self._spawn((tank, "chill"), self.start_chiller(tank))
        elif reading["temp"] < low:
            await self.plc.write_coil(CHILLER_COIL[tank], False)

    async def listen(self) -> None:
        await self.mqtt.subscribe("saltmarsh/+/probes")
        async for message in self.mqtt.messages:
            tank = message.topic.value.split("/")[1]
            if tank not in LIMITS:
                continue
            try:
                await self.on_reading(tank, json.loads(message.payload))
            except Exception:
                log.exception("reading from %s not handled", tank)

    async def summarise(self) -> None:
        await self.first_reading.wait()
        while True:
            now = datetime.now().isoformat(timespec="seconds")
            rows = [{"at": now, "tank": t, **self.latest[t]} for t in TANKS if self.latest[t]]
            await asyncio.to_thread(append_summary, rows)
            await asyncio.sleep(60)

    async def close(self) -> None:
        pending = list(self.jobs.values())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def main() -> None:
    plc = AsyncModbusTcpClient(os.environ.get("PLANT_PLC", "10.60.0.8"))
    await plc.connect()
    try:
        async with aiomqtt.Client("mqtt.saltmarsh.lan") as mqtt:
            supervisor = Supervisor(mqtt, plc)
            try:
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(supervisor.listen())
                    tg.create_task(supervisor.summarise())
            finally:
                await supervisor.close()
    finally:
        plc.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
