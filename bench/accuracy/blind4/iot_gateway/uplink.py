from __future__ import annotations

import asyncio
import json
import time

import aiomqtt


class Uplink:
    def __init__(self, client: aiomqtt.Client, site: str):
        self._client = client
        self._site = site

    async def publish_snapshot(self, snapshot: dict) -> None:
        # one message per meter, in a fixed order the cloud side relies on
        for name in sorted(snapshot):
            payload = json.dumps({"ts": time.time(), "values": snapshot[name]})
            await self._client.publish(f"{self._site}/meters/{name}", payload, qos=1)

    async def heartbeat(self, every: float = 30.0) -> None:
        while True:
            await self._client.publish(f"{self._site}/status", "online", qos=0, retain=True)
            await asyncio.sleep(every)
