"""Elevator telemetry bridge: controller MQTT topics to the maintenance platform."""
from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass

import aiohttp
import aiomqtt

log = logging.getLogger("lifts")
BROKER = os.environ.get("MQTT_HOST", "mqtt.building.lan")
MAINT_API = "https://maint.liftco.example/api/v1"
TOKEN = os.environ.get("MAINT_TOKEN", "")


@dataclass
class LiftSample:
    lift_id: str
    floor: int
    door_cycles: int
    motor_temp_c: float
    fault: str | None


def parse(topic: str, payload: bytes) -> LiftSample:
    data = json.loads(payload)
    return LiftSample(topic.split("/")[1], data["floor"], data["door_cycles"], data["motor_temp"], data.get("fault"))


class Bridge:
    def __init__(self) -> None:
        self.buffer: list[LiftSample] = []
        self.flush_every = 60

    async def raise_fault_ticket(self, sample: LiftSample) -> None:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session:  # bug: ADC402
            async with session.post(
                f"{MAINT_API}/tickets",
                json={"lift": sample.lift_id, "fault": sample.fault, "floor": sample.floor},
            ) as resp:
                resp.raise_for_status()

    async def flush(self, session: aiohttp.ClientSession) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        async with session.post(f"{MAINT_API}/telemetry:batch", json=[s.__dict__ for s in batch]) as resp:
            if resp.status >= 500:
                log.warning("telemetry batch refused (%s); keeping it", resp.status)
                self.buffer = batch + self.buffer

    async def flusher(self, session: aiohttp.ClientSession) -> None:
        while True:
            await asyncio.sleep(self.flush_every)
            try:
                await self.flush(session)
            except aiohttp.ClientError:
                log.exception("telemetry flush failed")

    async def consume(self) -> None:
        async with aiomqtt.Client(BROKER, identifier="lift-bridge") as client:
            await client.subscribe("lifts/+/status", qos=1)
            async for message in client.messages:
                sample = parse(str(message.topic), message.payload)
                self.buffer.append(sample)
                if sample.fault:
                    await self.raise_fault_ticket(sample)

    async def run(self) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            flusher = asyncio.create_task(self.flusher(session))
            try:
                while True:
                    try:
                        await self.consume()
                    except aiomqtt.MqttError as exc:
                        log.warning("broker connection lost (%s); reconnecting in 5 s", exc)
                        await asyncio.sleep(5)
                    except asyncio.CancelledError:  # bug: ADC601
                        log.info("consumer cancelled; reconnecting")
                        await asyncio.sleep(1)
            finally:
                flusher.cancel()
                await self.flush(session)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Bridge().run())
