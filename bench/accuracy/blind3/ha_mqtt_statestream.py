"""Mirror entity states to an external MQTT broker (paho based)."""
from __future__ import annotations

import asyncio
import json
import logging

import paho.mqtt.client as mqtt

_LOGGER = logging.getLogger(__name__)


class StateStreamBridge:
    def __init__(self, hass, host: str, port: int = 1883, prefix: str = "homeassistant/statestream") -> None:
        self.hass = hass
        self._host = host
        self._port = port
        self._prefix = prefix.rstrip("/")
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="ha-statestream")
        self._client.on_message = self._on_message
        self._client.on_connect = self._on_connect
        self._connected = asyncio.Event()

    async def async_start(self) -> None:
        await self.hass.async_add_executor_job(self._client.connect, self._host, self._port, 60)
        self._client.loop_start()
        await asyncio.wait_for(self._connected.wait(), timeout=15)

    async def async_stop(self) -> None:
        await self.hass.async_add_executor_job(self._client.disconnect)
        await self.hass.async_add_executor_job(self._client.loop_stop)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        client.subscribe(f"{self._prefix}/+/+/set")
        self.hass.loop.call_soon_threadsafe(self._connected.set)

    def _on_message(self, client, userdata, msg) -> None:
        self.hass.loop.call_soon_threadsafe(self._async_handle_command, msg.topic, msg.payload)  # bug: ADC202

    async def _async_handle_command(self, topic: str, payload: bytes) -> None:
        _prefix, domain, object_id, _set = topic.rsplit("/", 3)
        entity_id = f"{domain}.{object_id}"
        try:
            data = json.loads(payload)
        except ValueError:
            _LOGGER.warning("ignoring non-JSON command for %s", entity_id)
            return
        service = "turn_on" if data.get("state") == "on" else "turn_off"
        await self.hass.services.async_call(domain, service, {"entity_id": entity_id}, blocking=False)

    async def async_publish_state(self, entity_id: str, state: str, attributes: dict) -> None:
        domain, object_id = entity_id.split(".", 1)
        base = f"{self._prefix}/{domain}/{object_id}"
        payload = json.dumps({"state": state, "attributes": attributes}, default=str)
        info = self._client.publish(f"{base}/state", payload, qos=1, retain=True)  # bug: ADC101
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            _LOGGER.warning("publish for %s failed: %s", entity_id, mqtt.error_string(info.rc))

    async def async_publish_availability(self, online: bool) -> None:
        await self.hass.async_add_executor_job(
            self._client.publish, f"{self._prefix}/status", "online" if online else "offline", 1, True
        )
