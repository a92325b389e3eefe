"""Telegram bot for a violin maker's workshop.

The tonewood store (spruce tops, maple backs and ribs, ebony boards) is
kept in a SQLite file. Students and the two journeymen reserve billets
from the bot; an export thread writes the reservation list to the shared
drive every minute for the workshop printer.
"""
import asyncio
import contextlib
import csv
import logging
import os
import sqlite3
import threading

from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

log = logging.getLogger("tonewood-bot")

DB_PATH = "/var/lib/workshop/tonewood.sqlite3"
EXPORT_PATH = "/mnt/workshop/reservations.csv"
router = Router()

_reserve_lock = threading.Lock()
reserved: dict[str, int] = {}


def stock_rows(species: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(DB_PATH)) as db:
        return db.execute(
            "SELECT code, part, grade, seasoned_since FROM billets"
            " WHERE species = ? AND sold = 0 ORDER BY grade, seasoned_since",
            (species,),
        ).fetchall()


def billet_detail(code: str) -> tuple | None:
    with contextlib.closing(sqlite3.connect(DB_PATH)) as db:
        return db.execute(
            "SELECT species, part, grade, origin, seasoned_since, notes FROM billets WHERE code = ?",
            (code,),
        ).fetchone()


def export_loop(stop: threading.Event) -> None:
    while not stop.wait(60):
        with _reserve_lock:
            snapshot = sorted(reserved.items())
        with open(EXPORT_PATH, "w", newline="") as fh:
            csv.writer(fh).writerows(snapshot)


@router.message(Command("stock"))
async def stock(message: Message, command: CommandObject) -> None:
    species = (command.args or "spruce").strip().lower()
    rows = stock_rows(species)  # bug: ADC101
    if not rows:
        await message.answer(f"No {species} in stock.")
        return
    lines = [f"{code}  {part:<6} grade {grade}  since {since}" for code, part, grade, since in rows]
    await message.answer("\n".join(lines[:40]))


@router.message(Command("billet"))
async def billet(message: Message, command: CommandObject) -> None:
    code = (command.args or "").strip().upper()
    row = await asyncio.to_thread(billet_detail, code)
    if row is None:
        await message.answer(f"Unknown billet {code}.")
        return
    species, part, grade, origin, since, notes = row
    await message.answer(f"{code}: {species} {part}, grade {grade}, {origin}, seasoned since {since}\n{notes or ''}")


@router.message(Command("reserve"))
async def reserve(message: Message, command: CommandObject) -> None:
    code = (command.args or "").strip().upper()
    with _reserve_lock:  # bug: ADC102
        holder = reserved.get(code)
        if holder is not None and holder != message.from_user.id:
            await message.answer(f"{code} is already reserved.")
            return
        reserved[code] = message.from_user.id
        await message.answer(f"{code} reserved for you.")


@router.message(Command("release"))
async def release(message: Message, command: CommandObject) -> None:
    code = (command.args or "").strip().upper()
    with _reserve_lock:
        released = reserved.get(code) == message.from_user.id
        if released:
            del reserved[code]
    await message.answer(f"{code} released." if released else f"You do not hold {code}.")


async def main() -> None:
    bot = Bot(token=os.environ["TONEWOOD_BOT_TOKEN"])
    dp = Dispatcher()
    dp.include_router(router)
    stop = threading.Event()
    exporter = threading.Thread(target=export_loop, args=(stop,), daemon=True)
    exporter.start()
    try:
        await dp.start_polling(bot)
    finally:
        stop.set()
        await asyncio.to_thread(exporter.join, 5)
        await bot.session.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
