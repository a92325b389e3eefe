"""Kiln controller boards (ESP32 + MAX31856 thermocouple) on the studio's MQTT broker."""
import asyncio
import contextlib
import json
import logging
import signal

import aiomqtt
import httpx

from . import alerts, logbook
from .firing import FiringRunner

log = logging.getLogger(__name__)

KILNS = ("skutt-1027", "kilncare-fl", "raku-gas")
BROKER = "mqtt.studio.lan"


class Kiln:
    def __init__(self, name: str, client: aiomqtt.Client):
        self.name = name
        self.client = client
        self.temperature: float | None = None
        self.setpoint: float | None = None
        self.at_setpoint = False
        self.first_reading = asyncio.Event()

    async def set_target(self, celsius: float) -> None:
        self.setpoint = celsius
        self.at_setpoint = False
        await self.client.publish(f"kilns/{self.name}/setpoint", payload=f"{celsius:.1f}", qos=1)

    async def elements_off(self) -> None:
        self.setpoint = None
        await self.client.publish(f"kilns/{self.name}/elements", payload="off", qos=1, retain=True)

    def on_reading(self, celsius: float) -> None:
        self.temperature = celsius
        self.first_reading.set()
        if self.setpoint is not None and abs(celsius - self.setpoint) <= 3:
            self.at_setpoint = True


async def main() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    db = await logbook.open_db("/var/lib/kilns/firings.db")
    try:
        async with httpx.AsyncClient(timeout=10) as http, aiomqtt.Client(BROKER, identifier="kiln-runner") as client:
            alerts.bind(http)
            kilns = {name: Kiln(name, client) for name in KILNS}
            runner = FiringRunner(db)
            await client.subscribe("kilns/+/temperature")
            await client.subscribe("studio/firings/+")

            async def consume() -> None:
                async for message in client.messages:
                    parts = message.topic.value.split("/")
                    if message.topic.matches("kilns/+/temperature") and parts[1] in kilns:
                        kilns[parts[1]].on_reading(float(message.payload))
                    elif message.topic.matches("studio/firings/start"):
                        req = json.loads(message.payload)
                        try:
                            await runner.start(kilns[req["kiln"]], req["schedule"])
                        except RuntimeError as exc:
                            log.warning("%s", exc)
                    elif message.topic.matches("studio/firings/abort"):
                        runner.abort(message.payload.decode())

            consumer = asyncio.create_task(consume())
            await stop.wait()
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
    finally:
        await db.close()
