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


def register():
    subscribe("order.paid", on_order_paid)
