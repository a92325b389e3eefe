from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from typing import Any

import httpx
import paho.mqtt.client as mqtt

log = logging.getLogger("gateway")


class TelemetryGateway:
    def __init__(self, broker: str, api: httpx.AsyncClient, devices: list[str], batch_size: int = 500) -> None:
        self._api = api
        self._devices = devices
        self._batch_size = batch_size
        self._buffer: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._mqtt = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self._mqtt.on_message = self._on_message
        self._mqtt.on_connect = self._on_connect
        self._broker = broker
        self.device_config: dict[str, dict[str, Any]] = {}

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        client.subscribe("devices/+/telemetry", qos=1)

    def _on_message(self, client, userdata, msg) -> None:
        reading = json.loads(msg.payload)
        reading["device"] = msg.topic.split("/")[1]
        reading["received"] = time.time()
        with self._cond:
            self._buffer.append(reading)
            if len(self._buffer) >= self._batch_size:
                self._cond.notify()

    def _wait_for_batch(self, timeout: float) -> list[dict[str, Any]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self._buffer) >= self._batch_size, timeout)
            batch, self._buffer = self._buffer, []
        return batch

    async def _upload(self, batch: list[dict[str, Any]]) -> None:
        resp = await self._api.post("/telemetry/batch", json=batch)
        resp.raise_for_status()
        log.debug("uploaded %d readings", len(batch))

    async def load_device_config(self) -> None:
        for device_id in self._devices:
            resp = await self._api.get(f"/devices/{device_id}/config")  # bug: ADC501
            self.device_config[device_id] = resp.json() if resp.status_code == 200 else {}

    async def flush_now(self) -> int:
        with self._cond:  # bug: ADC102
            batch, self._buffer = self._buffer, []
            if batch:
                await self._upload(batch)
        return len(batch)

    async def upload_loop(self) -> None:
        while True:
            batch = await asyncio.to_thread(self._wait_for_batch, 5.0)
            if batch:
                try:
                    await self._upload(batch)
                except httpx.HTTPError:
                    log.exception("upload failed, re-queueing %d readings", len(batch))
                    with self._cond:
                        self._buffer[:0] = batch

    async def run(self) -> None:
        await self.load_device_config()
        await asyncio.to_thread(self._mqtt.connect, self._broker, 1883, 30)
        self._mqtt.loop_start()
        try:
            await self.upload_loop()
        finally:
            await asyncio.to_thread(self._mqtt.loop_stop)
            await self.flush_now()
