import asyncio
import logging

import aiohttp
import asyncpg
from aiogram import Bot, Dispatcher

from .config import BOT_TOKEN, DATABASE_URL
from .handlers import router
from .services import CatalogClient, Orders


async def main() -> None:
    logging.basicConfig(level=logging.INFO)
    bot = Bot(BOT_TOKEN)
    dp = Dispatcher()
    dp.include_router(router)
    pool = await asyncpg.create_pool(DATABASE_URL, min_size=1, max_size=10)
    async with aiohttp.ClientSession() as session:
        try:
            await dp.start_polling(bot, catalog=CatalogClient(session), orders=Orders(pool))
        finally:
            await pool.close()
            await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
