"""Milking robot events -> herd database, mastitis alerts and the three-way sort gate."""
import asyncio
import json
import logging
import threading
from datetime import datetime, timezone

import aiomqtt
import asyncpg
import serial

log = logging.getLogger("parlour")

BROKER = "parlour-gw.farm.lan"
CONDUCTIVITY_ALERT = 6.5   # mS/cm, any quarter
YIELD_DROP_ALERT = 0.7     # fraction of the cow's 7-day average


class SortGate:
    """RS-485 sort gate. Its own thread reads tag reads and answers with a pen."""

    def __init__(self, port: str = "/dev/ttyUSB0") -> None:
        self._port = serial.Serial(port, 9600, timeout=1)
        self.divert: dict[str, str] = {}
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="sort-gate", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            line = self._port.readline().decode("ascii", "ignore").strip()
            if not line.startswith("EID:"):
                continue
            with self.lock:
                pen = self.divert.pop(line[4:], None)
            self._port.write({"treatment": b"GATE:B\r\n", "footbath": b"GATE:C\r\n"}.get(pen, b"GATE:A\r\n"))


class Parlour:
    def __init__(self, pool: asyncpg.Pool, mqtt: aiomqtt.Client, gate: SortGate) -> None:
        self.pool = pool
        self.mqtt = mqtt
        self.gate = gate

    async def on_milking(self, robot: str, event: dict) -> None:
        cow = event["eid"]
        cond = max(event["conductivity"].values())
        await self.pool.execute(
            "insert into milkings (eid, robot, milked_at, kg, max_conductivity) values ($1, $2, $3, $4, $5)",
            cow, robot, datetime.fromtimestamp(event["ts"], timezone.utc), event["kg"], cond,
        )
        avg = await self.pool.fetchval(
            "select avg(kg) from milkings where eid = $1 and milked_at > now() - interval '7 days'", cow
        )
        if cond >= CONDUCTIVITY_ALERT:
            with self.gate.lock:  # bug: ADC102
                self.gate.divert[cow] = "treatment"
                await self.pool.execute(
                    "insert into treatments (eid, reason, flagged_at) values ($1, 'conductivity', now())", cow
                )
            self.mqtt.publish(f"parlour/alerts/{cow}", json.dumps({"conductivity": cond}), qos=1)  # bug: ADC201
        elif avg and event["kg"] < avg * YIELD_DROP_ALERT:
            await self.mqtt.publish(f"parlour/alerts/{cow}", json.dumps({"yield_drop": event["kg"]}), qos=1)

    async def on_status(self, robot: str, event: dict) -> None:
        if event.get("code") == "LAME_SUSPECT":
            with self.gate.lock:
                self.gate.divert.setdefault(event["eid"], "footbath")
        await self.pool.execute(
            "insert into robot_status (robot, code, seen_at) values ($1, $2, now())", robot, event.get("code")
        )


async def main() -> None:
    gate = await asyncio.to_thread(SortGate)
    gate.start()
    pool = await asyncpg.create_pool("postgresql://herd@farm-db/herd", max_size=4)
    try:
        async with aiomqtt.Client(BROKER, identifier="herd-db") as mqtt:
            parlour = Parlour(pool, mqtt, gate)
            await mqtt.subscribe("robots/+/milking", qos=1)
            await mqtt.subscribe("robots/+/status")
            async for message in mqtt.messages:
                robot = message.topic.value.split("/")[1]
                event = json.loads(message.payload)
                if message.topic.matches("robots/+/milking"):
                    await parlour.on_milking(robot, event)
                else:
                    await parlour.on_status(robot, event)
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
