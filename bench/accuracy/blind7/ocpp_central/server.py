"""Websocket server accepting charger connections."""
import asyncio
import logging

import aiomqtt
import asyncpg
import websockets
from ocpp.v201 import call

from .charge_point import ChargePoint

log = logging.getLogger("ocpp.server")


class Registry:
    def __init__(self, mqtt: aiomqtt.Client) -> None:
        self.mqtt = mqtt
        self.connected: dict[str, ChargePoint] = {}
        self.sessions: dict[str, asyncio.Task] = {}

    async def on_disconnect(self, task: asyncio.Task) -> None:
        station_id = task.get_name()
        self.connected.pop(station_id, None)
        self.sessions.pop(station_id, None)
        await self.mqtt.publish(f"depot/{station_id}/online", "0", retain=True)

    async def handle(self, websocket, pool) -> None:
        station_id = websocket.request.path.strip("/")
        cp = ChargePoint(station_id, websocket, pool, self.mqtt)
        self.connected[station_id] = cp
        await self.mqtt.publish(f"depot/{station_id}/online", "1", retain=True)
        task = asyncio.create_task(cp.start(), name=station_id)
        self.sessions[station_id] = task
        task.add_done_callback(self.on_disconnect)  # bug: ADC202
        await websocket.wait_closed()
        log.info("%s disconnected", station_id)

    async def reset(self, station_id: str) -> None:
        """Called from the admin API: soft-reset one charger."""
        cp = self.connected[station_id]
        await cp.call(call.Reset(type="Immediate"))


async def main() -> None:
    pool = await asyncpg.create_pool("postgresql://ocpp@db.internal/billing", max_size=5)
    try:
        async with aiomqtt.Client("mqtt.depot.lan") as mqtt:
            registry = Registry(mqtt)
            async with websockets.serve(
                lambda ws: registry.handle(ws, pool), "0.0.0.0", 9000, subprotocols=["ocpp2.0.1"]
            ) as server:
                await server.serve_forever()
    finally:
        await pool.close()
