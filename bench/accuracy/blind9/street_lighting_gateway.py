"""Street lighting gateway: lamp telemetry from the LoRa network server (MQTT) into the asset DB."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import Counter

import asyncpg
import paho.mqtt.client as mqtt

log = logging.getLogger("streetlights")


class Gateway:
    def __init__(self, dsn: str, broker: str) -> None:
        self.dsn = dsn
        self.broker = broker
        self.loop: asyncio.AbstractEventLoop | None = None
        self.inbox: asyncio.Queue[dict] = asyncio.Queue(maxsize=10_000)
        self.connected = asyncio.Event()
        self.stats_lock = threading.Lock()
        self.stats: Counter[str] = Counter()
        self.mqtt = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="streetlight-gw")
        self.mqtt.on_connect = self._on_connect
        self.mqtt.on_message = self._on_message

    # --- paho callbacks: these run on paho's network thread -------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        client.subscribe("application/lamps/device/+/event/up", qos=1)
        self.loop.call_soon_threadsafe(self.connected.set)

    def _on_message(self, client, userdata, msg) -> None:
        with self.stats_lock:
            self.stats["received"] += 1
        event = json.loads(msg.payload)
        asyncio.run_coroutine_threadsafe(self.inbox.put(event), self.loop)

    def stats_snapshot(self) -> dict[str, int]:
        with self.stats_lock:
            return dict(self.stats)

    # --- asyncio side -----------------------------------------------------------
    async def store(self, pool: asyncpg.Pool) -> None:
        while True:
            event = await self.inbox.get()
            obj = event.get("object", {})
            await pool.execute(
                "INSERT INTO lamp_readings (dev_eui, burn_hours, power_w, fault) VALUES ($1, $2, $3, $4)",
                event["deviceInfo"]["devEui"], obj.get("burn_h"), obj.get("power_w"), obj.get("fault"),
            )
            if obj.get("fault"):
                command = json.dumps({"confirmed": True, "fPort": 10, "data": "AQ=="})
                topic = f"application/lamps/device/{event['deviceInfo']['devEui']}/command/down"
                await asyncio.to_thread(self.mqtt.publish, topic, command, 1)

    async def report(self) -> None:
        while True:
            await asyncio.sleep(60)
            log.info("gateway stats: %s, queue %d", self.stats_snapshot(), self.inbox.qsize())

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        await asyncio.to_thread(self.mqtt.connect, self.broker, 1883, 30)
        self.mqtt.loop_start()
        try:
            await asyncio.wait_for(self.connected.wait(), timeout=30)
            log.info("subscribed to lamp uplinks")
            async with asyncpg.create_pool(self.dsn, max_size=4) as pool:
                async with asyncio.TaskGroup() as tg:
                    for _ in range(4):
                        tg.create_task(self.store(pool))
                    tg.create_task(self.report())
        finally:
            await asyncio.to_thread(self.mqtt.disconnect)
            await asyncio.to_thread(self.mqtt.loop_stop)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Gateway("postgresql://lights@db/assets", "lns.city.lan").run())
