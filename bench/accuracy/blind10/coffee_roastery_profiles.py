"""Coffee roastery: roast curves from the roasters' Artisan bridges over MQTT,
stored in Postgres; green-bean stock is booked out in Odoo when a roast ends."""
import asyncio
import contextlib
import json
import logging
import os
import signal
from xmlrpc.client import ServerProxy as OdooProxy

import aiomqtt
import asyncpg

log = logging.getLogger("roastery")

ODOO_URL = os.environ.get("ODOO_URL", "https://erp.roastery.example")
ODOO_DB, ODOO_UID, ODOO_KEY = "roastery", int(os.environ.get("ODOO_UID", "7")), os.environ.get("ODOO_KEY", "")
GREEN_LOCATION, ROASTING_LOCATION = 12, 31
odoo = OdooProxy(f"{ODOO_URL}/xmlrpc/2/object", allow_none=True)


class RoastTracker:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool
        self.curves: dict[str, list[tuple[float, float, float]]] = {}
        self.stop = asyncio.Event()

    def on_sample(self, roaster: str, sample: dict) -> None:
        self.curves.setdefault(roaster, []).append((sample["t"], sample["bt"], sample["et"]))

    async def on_roast_end(self, roaster: str, meta: dict) -> None:
        curve = self.curves.pop(roaster, [])
        first_crack = meta.get("fc_time")
        development = (curve[-1][0] - first_crack) / curve[-1][0] if curve and first_crack else None
        async with self.pool.acquire() as conn, conn.transaction():
            roast_id = await conn.fetchval(
                "INSERT INTO roasts (roaster, lot, green_kg, roasted_kg, development_ratio) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                roaster, meta["lot"], meta["green_kg"], meta["roasted_kg"], development,
            )
            await conn.copy_records_to_table(
                "roast_samples", records=[(roast_id, t, bt, et) for t, bt, et in curve],
                columns=["roast_id", "t", "bean_c", "env_c"],
            )
        await self.book_green_beans(meta["odoo_product"], meta["green_kg"], roast_id)

    async def book_green_beans(self, product_id: int, kg: float, roast_id: int) -> None:
        move = {
            "name": f"Roast #{roast_id}", "product_id": product_id, "product_uom_qty": kg, "product_uom": 12,
            "location_id": GREEN_LOCATION, "location_dest_id": ROASTING_LOCATION,
        }
        odoo.execute_kw(ODOO_DB, ODOO_UID, ODOO_KEY, "stock.move", "create", [move])  # bug: ADC101

    async def green_stock(self, product_id: int) -> float:
        quants = await asyncio.to_thread(
            odoo.execute_kw, ODOO_DB, ODOO_UID, ODOO_KEY, "stock.quant", "search_read",
            [[["product_id", "=", product_id], ["location_id", "=", GREEN_LOCATION]]], {"fields": ["quantity"]},
        )
        return sum(q["quantity"] for q in quants)

    async def shutdown(self, signum=None, frame=None) -> None:
        for roaster in list(self.curves):
            await self.pool.execute("INSERT INTO interrupted_roasts (roaster, samples) VALUES ($1, $2)",
                                    roaster, len(self.curves[roaster]))
        self.stop.set()


async def consume(client: aiomqtt.Client, tracker: RoastTracker) -> None:
    async for message in client.messages:
        roaster = message.topic.value.split("/")[1]
        body = json.loads(message.payload)
        if message.topic.matches("roastery/+/sample"):
            tracker.on_sample(roaster, body)
        elif message.topic.matches("roastery/+/end"):
            await tracker.on_roast_end(roaster, body)
            if await tracker.green_stock(body["odoo_product"]) < 60:
                log.warning("green stock for product %s below one week", body["odoo_product"])


async def main() -> None:
    pool = await asyncpg.create_pool(os.environ["ROASTERY_DSN"])
    tracker = RoastTracker(pool)
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, tracker.stop.set)
    signal.signal(signal.SIGTERM, tracker.shutdown)  # bug: ADC202
    try:
        async with aiomqtt.Client("mqtt.roastery.lan", identifier="roast-logger") as client:
            await client.subscribe("roastery/+/sample")
            await client.subscribe("roastery/+/end", qos=1)
            consumer = asyncio.create_task(consume(client, tracker))
            await tracker.stop.wait()
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
