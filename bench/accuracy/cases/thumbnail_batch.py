import asyncio
import logging

from app.media import generate_variants, list_pending_images

log = logging.getLogger(__name__)


async def process(image_id: int) -> None:
    try:
        await generate_variants(image_id)
    except Exception:
        log.exception("variants for image %s failed", image_id)


async def process_pending() -> int:
    pending = await list_pending_images()
    tasks = [asyncio.create_task(process(image_id)) for image_id in pending]  # bug: ADC502 @fanout
    await asyncio.wait(tasks)  # bug: ADC502 @fanout
    return len(tasks)

