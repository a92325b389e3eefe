"""Language exchange Telegram bot: pairs learners with native speakers and
relays their messages with an optional translation underneath."""
import asyncio
import logging
import os

import aiohttp
from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from redis import asyncio as aioredis

log = logging.getLogger("tandem")
router = Router()

LT_URL = "https://translate.langclub.internal"  # self-hosted LibreTranslate


async def detect_language(http: aiohttp.ClientSession, text: str) -> str:
    async with http.post(f"{LT_URL}/detect", json={"q": text}) as resp:
        resp.raise_for_status()
        return (await resp.json())[0]["language"]


async def translate(text: str, source: str, target: str) -> str:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:  # bug: ADC402
        async with session.post(
            f"{LT_URL}/translate", json={"q": text, "source": source, "target": target, "format": "text"}
        ) as resp:
            resp.raise_for_status()
            return (await resp.json())["translatedText"]


@router.message(Command("learn"))
async def cmd_learn(message: Message, command: CommandObject, redis: aioredis.Redis):
    native, learning = (command.args or "en es").split()[:2]
    await redis.hset(f"user:{message.from_user.id}", mapping={"native": native, "learning": learning})
    await message.answer(f"Saved: you speak {native} and are learning {learning}. Use /find.")


@router.message(Command("find"))
async def cmd_find(message: Message, bot: Bot, redis: aioredis.Redis):
    me = message.from_user.id
    profile = await redis.hgetall(f"user:{me}")
    if not profile:
        await message.answer("Tell me your languages first: /learn <native> <learning>")
        return
    queue = f"waiting:{profile['learning']}:{profile['native']}"
    partner = await redis.lpop(queue)
    if partner is None:
        await redis.rpush(f"waiting:{profile['native']}:{profile['learning']}", me)
        await message.answer("You're in the queue; I'll message you when someone matches.")
        return
    await redis.mset({f"pair:{me}": partner, f"pair:{partner}": me})
    await bot.send_message(int(partner), "Matched! Say hello.")
    await message.answer("Matched! Say hello.")


@router.message(Command("leave"))
async def cmd_leave(message: Message, bot: Bot, redis: aioredis.Redis):
    me = message.from_user.id
    partner = await redis.get(f"pair:{me}")
    if partner is None:
        message.answer("You're not in a conversation right now.")  # bug: ADC201
        return
    await redis.delete(f"pair:{me}", f"pair:{partner}")
    await bot.send_message(int(partner), "Your partner has left the conversation.")
    await message.answer("You left the conversation.")


@router.message(F.text)
async def relay(message: Message, bot: Bot, redis: aioredis.Redis, http: aiohttp.ClientSession):
    partner = await redis.get(f"pair:{message.from_user.id}")
    if partner is None:
        await message.answer("Use /find to get a conversation partner.")
        return
    source = await detect_language(http, message.text)
    target = await redis.hget(f"user:{partner}", "native")
    note = ""
    if source != target:
        note = "\n\n— " + await translate(message.text, source, target)
    await bot.send_message(int(partner), f"{message.from_user.first_name}: {message.text}{note}")


async def main() -> None:
    redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost"), decode_responses=True)
    bot = Bot(os.environ["BOT_TOKEN"])
    dp = Dispatcher()
    dp.include_router(router)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await dp.start_polling(bot, redis=redis, http=http)
    finally:
        await redis.aclose()
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
