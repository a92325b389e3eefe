"""MQTT consumer loop."""
import asyncio
import json
import logging

import aiomqtt

from .decoder import decode_uplink
from .sink import InfluxSink, to_points

log = logging.getLogger("lorawan.bridge")

TOPIC = "application/+/device/+/event/up"


class Bridge:
    def __init__(self, mqtt_host: str, sink: InfluxSink) -> None:
        self.mqtt_host = mqtt_host
        self.sink = sink

    async def handle(self, payload: bytes) -> None:
        uplink = json.loads(payload)
        values = decode_uplink(uplink)
        if values is None:
            return
        info = uplink["deviceInfo"]
        rssi = max(rx["rssi"] for rx in uplink["rxInfo"])
        self.sink.write_points(to_points(info["devEui"], info["deviceName"], values, rssi))  # bug: ADC201

    async def consume(self) -> None:
        async with aiomqtt.Client(self.mqtt_host, identifier="influx-bridge", clean_session=False) as client:
            await client.subscribe(TOPIC, qos=1)
            async for message in client.messages:
                try:
                    await self.handle(message.payload)
                except (ValueError, KeyError) as exc:
                    log.warning("bad uplink on %s: %s", message.topic, exc)

    async def run(self) -> None:
        connector = asyncio.create_task(self.sink.connect())
        while not self.sink.ready:  # bug: ADC503
            await asyncio.sleep(0.1)
        await connector
        try:
            while True:
                try:
                    await self.consume()
                except aiomqtt.MqttError as exc:
                    log.warning("MQTT connection lost: %s", exc)
                except asyncio.CancelledError:  # bug: ADC601
                    log.info("consumer cancelled, restarting")
                await asyncio.sleep(5)
        finally:
            await self.sink.close()
