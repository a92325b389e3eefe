"""Chairlift telemetry bridge for the Hochalm ski area.

Gearbox temperature, haul-rope tension and wind readings arrive over MQTT
from each lift's PLC gateway and go into TimescaleDB. Alarms open a work
order in the maintenance database, which still runs on the old PostgreSQL
box and is reached with psycopg2.
"""
import asyncio
import contextlib
import json
import logging
import signal

import aiomqtt
import asyncpg
import psycopg2

log = logging.getLogger("lift-telemetry")

BROKER = "mqtt.hochalm.local"
TSDB_DSN = "postgresql://telemetry@tsdb.hochalm.local/lifts"
MAINT_DSN = "dbname=maint host=maint.hochalm.local user=bridge"
GEARBOX_LIMIT_C = 85.0
WIND_HOLD_MS = 17.0
ROPE_SLACK_RATIO = 0.82


def insert_work_order(conn, lift_id: str, reason: str) -> int:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO work_orders (asset, reason, source)"
            " VALUES (%s, %s, 'telemetry') RETURNING id",
            (lift_id, reason),
        )
        order_id = cur.fetchone()[0]
    conn.commit()
    return order_id


class LiftBridge:
    def __init__(self, pool: asyncpg.Pool, maint_conn) -> None:
        self.pool = pool
        self.maint_conn = maint_conn
        self.baselines: dict[str, float] = {}
        self.ropes_calibrated = False
        self.stop = asyncio.Event()
        self.wind_hold: set[str] = set()

    async def calibrate_ropes(self) -> None:
        rows = await self.pool.fetch("SELECT lift_id, baseline_kn FROM rope_baseline")
        self.baselines = {r["lift_id"]: r["baseline_kn"] for r in rows}
        self.ropes_calibrated = True

    async def store(self, lift_id: str, reading: dict) -> None:
        await self.pool.execute(
            "INSERT INTO readings (lift_id, ts, gearbox_c, rope_kn, wind_ms)"
            " VALUES ($1, now(), $2, $3, $4)",
            lift_id, reading["gearbox_c"], reading["rope_kn"], reading["wind_ms"],
        )

    async def gearbox_alarm(self, lift_id: str, temp: float) -> None:
        reason = f"gearbox at {temp:.1f} C"
        order_id = insert_work_order(self.maint_conn, lift_id, reason)  # bug: ADC101
        log.warning("lift %s: %s, work order %s", lift_id, reason, order_id)

    async def rope_alarm(self, lift_id: str, tension: float) -> None:
        reason = f"haul rope tension {tension:.0f} kN below baseline"
        order_id = await asyncio.to_thread(insert_work_order, self.maint_conn, lift_id, reason)
        log.warning("lift %s: %s, work order %s", lift_id, reason, order_id)

    async def wind_check(self, lift_id: str, wind: float) -> None:
        if wind <= WIND_HOLD_MS:
            self.wind_hold.discard(lift_id)
            return
        if lift_id not in self.wind_hold:
            self.wind_hold.add(lift_id)
            await self.pool.execute(
                "INSERT INTO holds (lift_id, ts, wind_ms) VALUES ($1, now(), $2)", lift_id, wind
            )

    async def handle(self, lift_id: str, reading: dict) -> None:
        await self.store(lift_id, reading)
        if reading["gearbox_c"] > GEARBOX_LIMIT_C:
            await self.gearbox_alarm(lift_id, reading["gearbox_c"])
        baseline = self.baselines.get(lift_id)
        if baseline and reading["rope_kn"] < baseline * ROPE_SLACK_RATIO:
            await self.rope_alarm(lift_id, reading["rope_kn"])
        await self.wind_check(lift_id, reading["wind_ms"])

    async def consume(self, client: aiomqtt.Client) -> None:
        while not self.ropes_calibrated:  # bug: ADC503
            await asyncio.sleep(0.5)
        await client.subscribe("lifts/+/telemetry")
        async for message in client.messages:
            lift_id = message.topic.value.split("/")[1]
            try:
                await self.handle(lift_id, json.loads(message.payload))
            except:  # bug: ADC601
                log.exception("reading from %s dropped", lift_id)


async def main() -> None:
    maint_conn = await asyncio.to_thread(psycopg2.connect, MAINT_DSN)
    pool = await asyncpg.create_pool(TSDB_DSN, min_size=1, max_size=4)
    bridge = LiftBridge(pool, maint_conn)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, bridge.stop.set)
    calibration = asyncio.create_task(bridge.calibrate_ropes())
    try:
        async with aiomqtt.Client(BROKER, identifier="lift-bridge") as client:
            consumer = asyncio.create_task(bridge.consume(client))
            await bridge.stop.wait()
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
        await calibration
    finally:
        await pool.close()
        await asyncio.to_thread(maint_conn.close)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
