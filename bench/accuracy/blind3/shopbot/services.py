import logging
from decimal import Decimal

import aiohttp
import asyncpg

from .config import CATALOG_API

log = logging.getLogger(__name__)


class CatalogClient:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def search(self, query: str, limit: int = 5) -> list[dict]:
        async with self._session.get(
            f"{CATALOG_API}/products", params={"q": query, "limit": limit}
        ) as resp:
            resp.raise_for_status()
            return await resp.json()


class Orders:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, user_id: int, sku: str, price: Decimal) -> int:
        async with self._pool.acquire() as conn:
            return await conn.fetchval(
                "INSERT INTO orders (user_id, sku, price) VALUES ($1, $2, $3) RETURNING id",
                user_id,
                sku,
                price,
            )

    async def recent(self, user_id: int) -> list[asyncpg.Record]:
        return await self._pool.fetch(
            "SELECT id, sku, price, status FROM orders WHERE user_id = $1 ORDER BY id DESC LIMIT 10",
            user_id,
        )


async def notify_admin(bot, text: str) -> None:
    from .config import ADMIN_CHAT_ID

    if ADMIN_CHAT_ID:
        try:
            await bot.send_message(ADMIN_CHAT_ID, text)
        except Exception:
            log.exception("could not notify admin")
