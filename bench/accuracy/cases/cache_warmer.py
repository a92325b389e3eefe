import asyncio
import logging

from app.cache import cache
from app.catalog import load_category

FEATURED = ("summer-sale", "outdoor", "kitchen", "kids", "gifts")

log = logging.getLogger(__name__)


async def warm_category(slug):
    products = await load_category(slug)
    await cache.set(f"category:{slug}", products, ttl=900)
    log.debug("warmed %s (%d products)", slug, len(products))


async def on_startup(app):
    loop = asyncio.get_running_loop()
    for slug in ("home", "deals", "new"):
        loop.create_task(warm_category(slug))  # bug: ADC301


async def warm_featured():
    async with asyncio.TaskGroup() as tg:
        for slug in FEATURED:
            tg.create_task(warm_category(slug))
    log.info("warmed %d featured categories", len(FEATURED))
