import asyncio
import logging

log = logging.getLogger("payments.webhooks")


async def handle(event: dict, repo) -> None:
    kind = event["type"]
    if kind == "charge.succeeded":
        await repo.mark_paid(event["data"]["order_id"], event["data"]["id"])
    elif kind == "charge.refunded":
        await repo.mark_refunded(event["data"]["order_id"])
    else:
        log.debug("ignoring %s", kind)


async def consume(queue: asyncio.Queue, repo) -> None:
    while True:
        event = await queue.get()
        try:
            await handle(event, repo)
        except (asyncio.CancelledError, Exception):  # bug: ADC601
            log.exception("webhook %s failed", event.get("id"))
        finally:
            queue.task_done()
