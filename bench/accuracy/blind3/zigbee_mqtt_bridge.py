"""Bridges zigbee2mqtt device events into the home automation rule engine."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import paho.mqtt.client as mqtt

log = logging.getLogger("z2m")


class Zigbee2MqttBridge:
    def __init__(self, rules, host: str = "localhost", port: int = 1883, base_topic: str = "zigbee2mqtt") -> None:
        self.rules = rules
        self.host = host
        self.port = port
        self.base_topic = base_topic
        self.devices: dict[str, dict[str, Any]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="rule-engine")
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        client.subscribe(f"{self.base_topic}/+")
        client.subscribe(f"{self.base_topic}/bridge/devices")

    def _on_message(self, client, userdata, msg) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._dispatch, msg.topic, msg.payload)

    def _dispatch(self, topic: str, payload: bytes) -> None:
        """Runs on the event loop thread."""
        try:
            data = json.loads(payload)
        except ValueError:
            return
        if topic.endswith("/bridge/devices"):
            self.devices = {d["friendly_name"]: d for d in data if "friendly_name" in d}
            return
        name = topic.rsplit("/", 1)[-1]
        task = asyncio.create_task(self.rules.on_state(name, data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def set_state(self, device: str, **state: Any) -> None:
        topic = f"{self.base_topic}/{device}/set"
        info = await asyncio.to_thread(self._client.publish, topic, json.dumps(state), 1)
        await asyncio.to_thread(info.wait_for_publish, 5)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await asyncio.to_thread(self._client.connect, self.host, self.port, 30)
        self._client.loop_start()

    async def stop(self) -> None:
        await asyncio.to_thread(self._client.disconnect)
        await asyncio.to_thread(self._client.loop_stop)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
