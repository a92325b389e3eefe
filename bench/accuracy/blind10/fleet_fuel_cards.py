"""Fleet fuel card reconciliation. The card provider drops a batch of
transactions (200-2,000) on RabbitMQ a few times a day; each one is checked
against the vehicle's telematics: was the van at that forecourt, and can its
tank take that many litres?"""
import asyncio
import json
import logging
import math
import os

import asyncpg
import httpx
import pika

log = logging.getLogger("fuelcards")

AMQP_URL = os.environ.get("AMQP_URL", "amqp://fleet:fleet@mq.internal:5672/%2F")
DSN = os.environ.get("FLEET_DSN", "postgresql://fleet@db/fleet")
TELEMATICS = "https://api.telematics.example/v2"
MAX_DISTANCE_M = 500


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6_371_000 * math.hypot(dlat, dlon)


def flags_for(txn: dict, snap: dict) -> list[str]:
    flags = []
    if metres((txn["site_lat"], txn["site_lon"]), (snap["lat"], snap["lon"])) > MAX_DISTANCE_M:
        flags.append("vehicle not at forecourt")
    if txn["litres"] > snap["tank_capacity_l"] * (1 - snap["fuel_level_pct"] / 100) + 5:
        flags.append("more litres than the tank could take")
    if txn["product"] != snap["fuel_type"]:
        flags.append(f"bought {txn['product']} for a {snap['fuel_type']} vehicle")
    return flags


async def snapshot(client: httpx.AsyncClient, reg: str, at: str) -> dict:
    resp = await client.get(f"/vehicles/{reg}/snapshot", params={"at": at, "fields": "position,fuel,spec"})
    resp.raise_for_status()
    return resp.json()


async def reconcile(batch: dict) -> int:
    token = os.environ["TELEMATICS_TOKEN"]
    rows = []
    async with httpx.AsyncClient(base_url=TELEMATICS, timeout=20, headers={"Authorization": f"Bearer {token}"}) as client:
        for txn in batch["transactions"]:
            snap = await snapshot(client, txn["vehicle_reg"], txn["at"])  # bug: ADC501
            rows.append((batch["batch_id"], txn["txn_id"], txn["vehicle_reg"], txn["litres"], flags_for(txn, snap)))
    conn = await asyncpg.connect(DSN)
    try:
        async with conn.transaction():
            await conn.executemany(
                "INSERT INTO fuel_transactions (batch_id, txn_id, vehicle_reg, litres, flags) VALUES ($1, $2, $3, $4, $5) "
                "ON CONFLICT (txn_id) DO NOTHING",
                rows,
            )
            await conn.execute("UPDATE card_batches SET reconciled_at = now() WHERE batch_id = $1", batch["batch_id"])
    finally:
        await conn.close()
    return sum(1 for r in rows if r[4])


def main() -> None:
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=1)
    try:
        for method, _properties, body in channel.consume("fuelcards.batches", inactivity_timeout=300):
            if method is None:
                continue
            batch = json.loads(body)
            flagged = asyncio.run(reconcile(batch))  # bug: ADC505
            log.info("batch %s: %d transactions, %d flagged", batch["batch_id"], len(batch["transactions"]), flagged)
            channel.basic_ack(method.delivery_tag)
    finally:
        channel.cancel()
        connection.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
