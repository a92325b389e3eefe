"""Bridges a legacy threaded MQTT client into our asyncio pipeline."""

import asyncio
import logging
import queue
import threading

logger = logging.getLogger(__name__)


class MqttBridge:
    def __init__(self, client, topic):
        self._client = client
        self._topic = topic
        self._inbox = queue.Queue(maxsize=10_000)
        self._stop = threading.Event()

    def _on_message(self, _client, _userdata, msg):
        # runs in the MQTT network thread
        try:
            self._inbox.put_nowait((msg.topic, msg.payload))
        except queue.Full:
            logger.warning("inbox full, dropping message on %s", msg.topic)

    def start(self):
        self._client.on_message = self._on_message
        self._client.subscribe(self._topic)
        self._client.loop_start()

    async def messages(self):
        while not self._stop.is_set():
            topic, payload = self._inbox.get()  # bug: ADC101
            yield topic, payload

    async def messages_nonblocking(self):
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            topic, payload = await loop.run_in_executor(None, self._inbox.get)
            yield topic, payload

    def stop(self):
        self._stop.set()
        self._client.loop_stop()


async def pump(bridge: MqttBridge, sink):
    async for topic, payload in bridge.messages():
        await sink.write(topic, payload)
