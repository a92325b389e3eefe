from asyncio import create_task, gather
import logging

from app.events import subscribe
from app.search import reindex_order
from app.mail import send_receipt

logger = logging.getLogger(__name__)


async def on_order_paid(event):
    order_id = event["order_id"]
    create_task(reindex_order(order_id))  # bug: ADC301
    receipt, _ = await gather(send_receipt(order_id), reindex_order(order_id, partial=True))
    logger.info("order %s paid, receipt %s", order_id, receipt)


async def on_invoice_batch(event):
    for order_id in event["order_ids"]:
        await send_receipt(order_id)  # bug: ADC501
    logger.info("sent %d receipts", len(event["order_ids"]))


def register():
    subscribe("order.paid", on_order_paid)
    subscribe("invoice.batch", on_invoice_batch)
