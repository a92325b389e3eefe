"""Telegram bot (aiogram 3) that pushes the daily avalanche bulletin to subscribers."""
from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, timezone

import aiohttp
import asyncpg
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import TelegramRetryAfter
from aiogram.filters import Command
from aiogram.types import Message

log = logging.getLogger("avalanche")
BULLETIN_URL = "https://static.avalanche-service.example/bulletins/latest/{region}.json"
REGIONS = ("north", "central", "south")
dp = Dispatcher()


class Pusher:
    def __init__(self, bot: Bot, pool: asyncpg.Pool, http: aiohttp.ClientSession) -> None:
        self.bot, self.pool, self.http = bot, pool, http
        self.last_issued: dict[str, str] = {}
        self._sends: set[asyncio.Task] = set()

    async def fetch(self, region: str) -> dict:
        async with self.http.get(BULLETIN_URL.format(region=region)) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def send_paced(self, chat_ids: list[int], text: str) -> None:
        # Telegram allows ~30 messages a second per bot; stay well below it
        for chat_id in chat_ids:
            while True:
                try:
                    await self.bot.send_message(chat_id, text)
                    break
                except TelegramRetryAfter as exc:
                    await asyncio.sleep(exc.retry_after)
            await asyncio.sleep(0.05)

    async def check_once(self) -> None:
        bulletins = await asyncio.gather(*(self.fetch(r) for r in REGIONS))
        changed = {
            region: b for region, b in zip(REGIONS, bulletins) if self.last_issued.get(region) != b["issued"]
        }
        if not changed:
            return
        rows = await self.pool.fetch(
            "SELECT chat_id, region FROM subscriptions WHERE region = ANY($1::text[])", list(changed)
        )
        for region, bulletin in changed.items():
            self.last_issued[region] = bulletin["issued"]
            chats = [r["chat_id"] for r in rows if r["region"] == region]
            text = f"Danger level {bulletin['level']} in {region}: {bulletin['headline']}"
            task = asyncio.create_task(self.send_paced(chats, text))
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)

    async def poll_forever(self) -> None:
        # the bulletin is published by the avalanche service: polling its file is the only way
        while True:
            try:
                await self.check_once()
            except aiohttp.ClientError:
                log.warning("bulletin fetch failed", exc_info=True)
            await asyncio.sleep(300)


@dp.message(Command("subscribe"), F.text)
async def subscribe(message: Message, pool: asyncpg.Pool) -> None:
    region = (message.text.split(maxsplit=1) + [""])[1].strip().lower()
    if region not in REGIONS:
        await message.answer("Regions: " + ", ".join(REGIONS))
        return
    await pool.execute(
        "INSERT INTO subscriptions (chat_id, region, since) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        message.chat.id, region, datetime.now(timezone.utc),
    )
    await message.answer(f"Subscribed to {region}.")


async def main() -> None:
    bot = Bot(os.environ["BOT_TOKEN"])
    pool = await asyncpg.create_pool(os.environ["AVALANCHE_DSN"])
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
            pusher = Pusher(bot, pool, http)
            async with asyncio.TaskGroup() as tg:
                tg.create_task(pusher.poll_forever())
                tg.create_task(dp.start_polling(bot, pool=pool))
    finally:
        await pool.close()
        await bot.session.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
