import asyncio
import json
import logging
import os

import aio_pika
import psycopg2

log = logging.getLogger("invoices")

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost/")
PG_DSN = os.environ["PG_DSN"]

_pg = None


def _db():
    global _pg
    if _pg is None or _pg.closed:
        _pg = psycopg2.connect(PG_DSN)
    return _pg


def store_invoice(doc: dict) -> None:
    conn = _db()
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO invoices (id, customer, total_cents) VALUES (%s, %s, %s)"
            " ON CONFLICT (id) DO NOTHING",
            (doc["id"], doc["customer"], doc["total_cents"]),
        )


async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
    async with message.process(requeue=True):
        doc = json.loads(message.body)
        log.info("invoice %s for %s", doc["id"], doc["customer"])
        store_invoice(doc)  # bug: ADC101


async def main() -> None:
    connection = await aio_pika.connect_robust(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=20)
        queue = await channel.declare_queue("invoices", durable=True)
        await queue.consume(on_message)
        log.info("waiting for invoices")
        await asyncio.Future()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
