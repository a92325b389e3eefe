"""Websocket gateway the robots connect to, plus the wave loop."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
from collections import defaultdict

import asyncpg
import websockets
from aiokafka import AIOKafkaProducer

from . import dispatch
from .status_http import serve_status

log = logging.getLogger(__name__)
LOST_AFTER = 10.0
REASSIGN_AFTER = 60.0


class FleetState:
    def __init__(self) -> None:
        self.lock = threading.Lock()  # shared with the status page thread
        self.poses: dict[str, dict] = {}
        self.lost: set[str] = set()
        self.outbox: defaultdict[str, asyncio.Queue] = defaultdict(asyncio.Queue)

    def idle_robots(self) -> list[str]:
        with self.lock:
            return [r for r, p in self.poses.items() if p.get("idle") and r not in self.lost]

    def distance(self, a, b) -> int:
        return 0 if a is None or b is None else abs(a["aisle"] - b["aisle"]) * 40 + abs(a["bay"] - b["bay"])


class Gateway:
    def __init__(self, state: FleetState, db: asyncpg.Pool, producer: AIOKafkaProducer) -> None:
        self.state, self.db, self.producer = state, db, producer
        self.timers: dict[str, asyncio.TimerHandle] = {}

    def _mark_lost(self, robot_id: str) -> None:
        with self.state.lock:
            self.state.lost.add(robot_id)

    async def _pump_outbox(self, robot_id: str, ws) -> None:
        while True:
            await ws.send(json.dumps(await self.state.outbox[robot_id].get()))

    async def handler(self, ws) -> None:
        robot_id = ws.request.headers["X-Robot-Id"]
        if (t := self.timers.pop(robot_id, None)) is not None:
            t.cancel()
        with self.state.lock:
            self.state.lost.discard(robot_id)
        pump = asyncio.create_task(self._pump_outbox(robot_id, ws))
        try:
            async for raw in ws:
                msg = json.loads(raw)
                if msg["type"] == "pose":
                    with self.state.lock:  # bug: ADC102
                        self.state.poses[robot_id] = msg["pose"]
                        await self.producer.send_and_wait("robot.poses", raw.encode(), key=robot_id.encode())
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await pump
            loop = asyncio.get_running_loop()
            self.timers[robot_id] = loop.call_later(LOST_AFTER, self._mark_lost, robot_id)
            loop.call_later(REASSIGN_AFTER, dispatch.reassign_orphans, self.db, robot_id)  # bug: ADC202


async def wave_loop(db: asyncpg.Pool, state: FleetState) -> None:
    while True:
        planned = await dispatch.plan_wave(db, state)
        log.info("wave planned %d picks", planned)
        await asyncio.sleep(20)


async def run() -> None:
    state = FleetState()
    threading.Thread(target=serve_status, args=(state,), daemon=True).start()
    async with asyncpg.create_pool(os.environ["WMS_DSN"]) as db:
        producer = AIOKafkaProducer(bootstrap_servers=os.environ.get("KAFKA", "localhost:9092"))
        await producer.start()
        try:
            gw = Gateway(state, db, producer)
            async with websockets.serve(gw.handler, "0.0.0.0", 8765), asyncio.TaskGroup() as tg:
                tg.create_task(wave_loop(db, state))
        finally:
            await producer.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run())
