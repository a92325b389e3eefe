"""Tally bot for a shearing gang (aiogram 3).

The gang's group chat is the tally book: the presser posts "/tally 3 112"
at the end of a run (stand 3, 112 sheep), the pinned message shows the
leaderboard for the shed, and every pressed bale is sent to the wool
broker's clip-record API, which allows two concurrent requests per shed
account.
"""
import asyncio
import logging
import os

import aiohttp
import asyncpg
from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

log = logging.getLogger("tally-bot")

DB_DSN = os.environ.get("TALLY_DSN", "postgresql://tally@localhost/sheds")
BROKER = "https://cliprecords.woolbroker.example/api/v2"
router = Router()
BOARD_EDIT = asyncio.Lock()


async def refresh_board(bot: Bot, pool: asyncpg.Pool, chat_id: int) -> None:
    pinned = await pool.fetchval("SELECT board_message_id FROM sheds WHERE chat_id = $1", chat_id)
    if pinned is None:
        return
    rows = await pool.fetch(
        "SELECT s.name, sum(t.sheep) AS total FROM tallies t JOIN shearers s ON s.id = t.shearer_id"
        " WHERE t.chat_id = $1 AND t.day = current_date GROUP BY s.name ORDER BY total DESC",
        chat_id,
    )
    text = "Today's tally\n" + "\n".join(f"{r['name']:<14}{r['total']:>5}" for r in rows)
    async with BOARD_EDIT:
        await bot.edit_message_text(text=text, chat_id=chat_id, message_id=pinned)


async def push_clip_record(session: aiohttp.ClientSession, shed: str, bale: dict) -> str:
    slots = asyncio.Semaphore(2)  # bug: ADC504
    async with slots:
        async with session.post(f"{BROKER}/sheds/{shed}/bales", json=bale) as resp:
            resp.raise_for_status()
            return (await resp.json())["bale_id"]


@router.message(Command("run"))
async def start_run(message: Message, bot: Bot, pool: asyncpg.Pool) -> None:
    await pool.execute(
        "INSERT INTO runs (chat_id, day, started_at) VALUES ($1, current_date, now())", message.chat.id
    )
    await refresh_board(bot, pool, message.chat.id)
    await message.answer("Run started. Good luck on the board.")


@router.message(Command("tally"))
async def tally(message: Message, command: CommandObject, bot: Bot, pool: asyncpg.Pool) -> None:
    try:
        stand, sheep = (int(x) for x in (command.args or "").split())
    except ValueError:
        await message.answer("Usage: /tally <stand> <sheep>")
        return
    shearer = await pool.fetchval(
        "SELECT shearer_id FROM stands WHERE chat_id = $1 AND stand = $2 AND day = current_date",
        message.chat.id, stand,
    )
    if shearer is None:
        await message.answer(f"Nobody is on stand {stand} today.")
        return
    await pool.execute(
        "INSERT INTO tallies (chat_id, day, shearer_id, sheep) VALUES ($1, current_date, $2, $3)",
        message.chat.id, shearer, sheep,
    )
    refresh_board(bot, pool, message.chat.id)  # bug: ADC201
    await message.answer(f"Stand {stand}: {sheep} recorded.")


@router.message(Command("bale"))
async def bale(message: Message, command: CommandObject, pool: asyncpg.Pool,
               broker: aiohttp.ClientSession) -> None:
    parts = (command.args or "").split()
    if len(parts) != 3:
        await message.answer("Usage: /bale <line> <weight_kg> <micron>")
        return
    line, weight, micron = parts[0], float(parts[1]), float(parts[2])
    shed = await pool.fetchval("SELECT broker_code FROM sheds WHERE chat_id = $1", message.chat.id)
    bale_id = await push_clip_record(broker, shed, {"line": line, "kg": weight, "micron": micron})
    await pool.execute(
        "INSERT INTO bales (chat_id, broker_bale_id, line, kg) VALUES ($1, $2, $3, $4)",
        message.chat.id, bale_id, line, weight,
    )
    await message.answer(f"Bale {bale_id} ({line}, {weight:.0f} kg) sent to the broker.")


async def main() -> None:
    bot = Bot(token=os.environ["TALLY_BOT_TOKEN"])
    pool = await asyncpg.create_pool(DB_DSN, max_size=5)
    broker = aiohttp.ClientSession(headers={"Authorization": f"Bearer {os.environ['BROKER_KEY']}"})
    dp = Dispatcher()
    dp.include_router(router)
    try:
        await dp.start_polling(bot, pool=pool, broker=broker)
    finally:
        await broker.close()
        await pool.close()
        await bot.session.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
