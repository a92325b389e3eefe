"""Keepers' Telegram bot for Wyndham Zoo: feeding logs, food stock, vet refusal log (aiogram 3)."""
import asyncio
import csv
import functools
import os
import threading
from datetime import date
from pathlib import Path

import asyncpg
from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import FSInputFile, Message

router = Router()
VET_LOG = Path("/srv/zoo/vet/refusals.csv")
_vet_log_lock = threading.Lock()
reminders: dict[int, asyncio.Task] = {}


def append_vet_log(rows: list[asyncpg.Record]) -> Path:
    with _vet_log_lock:
        new_file = not VET_LOG.exists()
        with VET_LOG.open("a", newline="") as fh:
            writer = csv.writer(fh)
            if new_file:
                writer.writerow(["date", "enclosure", "animal", "item", "keeper"])
            writer.writerows([r["day"], r["enclosure"], r["animal"], r["item"], r["keeper"]] for r in rows)
    return VET_LOG


@router.message(Command("fed"))
async def fed(message: Message, command: CommandObject, pool: asyncpg.Pool):
    try:
        enclosure, item, grams = command.args.split()
        grams_i = int(grams)
    except (AttributeError, ValueError):
        await message.answer("Usage: /fed <enclosure> <item> <grams>")
        return
    async with pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute(
                "insert into feeds (day, enclosure, item, grams, keeper) values ($1, $2, $3, $4, $5)",
                date.today(), enclosure, item, grams_i, message.from_user.full_name,
            )
            left = await conn.fetchval(
                "update food_stock set grams = grams - $2 where item = $1 returning grams", item, grams_i
            )
    await message.answer(f"Logged {grams_i} g {item} for {enclosure}. Stock left: {left or 0} g.")


@router.message(Command("round"))
async def close_round(message: Message, command: CommandObject, pool: asyncpg.Pool):
    section = (command.args or "").strip()
    async with pool.acquire() as conn:
        async with conn.transaction():
            stops = await conn.fetch(
                "select enclosure from round_stops where section = $1 order by stop_no", section
            )
            for stop in stops:
                await conn.execute(
                    "insert into round_checks (day, enclosure, keeper) values ($1, $2, $3)"
                    " on conflict do nothing",
                    date.today(), stop["enclosure"], message.from_user.full_name,
                )
    await message.answer(f"Round {section or '?'} closed: {len(stops)} enclosures checked.")


@router.message(Command("refused"))
async def refused(message: Message, command: CommandObject, pool: asyncpg.Pool):
    enclosure, animal, item = (command.args or "- - -").split(maxsplit=2)
    row = await pool.fetchrow(
        "insert into refusals (day, enclosure, animal, item, keeper) values ($1, $2, $3, $4, $5)"
        " returning day, enclosure, animal, item, keeper",
        date.today(), enclosure, animal, item, message.from_user.full_name,
    )
    path = await asyncio.to_thread(append_vet_log, [row])
    await message.answer_document(FSInputFile(path), caption=f"{animal} refused {item}; added to the vet log.")


def _forget(user_id: int, task: asyncio.Task) -> None:
    if reminders.get(user_id) is task:
        del reminders[user_id]


async def _remind_later(message: Message, minutes: int, text: str) -> None:
    await asyncio.sleep(minutes * 60)
    await message.answer(f"Reminder: {text}")


@router.message(Command("remind"))
async def remind(message: Message, command: CommandObject):
    minutes, _, text = (command.args or "").partition(" ")
    old = reminders.pop(message.from_user.id, None)
    if old:
        old.cancel()
    task = asyncio.create_task(_remind_later(message, int(minutes or 30), text or "check the enclosure"))
    reminders[message.from_user.id] = task
    task.add_done_callback(functools.partial(_forget, message.from_user.id))
    await message.answer(f"I'll remind you in {minutes or 30} minutes.")


async def main() -> None:
    bot = Bot(os.environ["KEEPER_BOT_TOKEN"])
    pool = await asyncpg.create_pool(os.environ["ZOO_DSN"], max_size=5)
    dp = Dispatcher(pool=pool)
    dp.include_router(router)
    try:
        await dp.start_polling(bot)
    finally:
        pending = list(reminders.values())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await pool.close()
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
