"""Food bank Telegram bot: volunteers log parcels at the depots, the coordinator
sends collection reminders. The trustees keep the ledger in a Google Sheet."""
import asyncio
import logging
import os
from datetime import date

import asyncpg
import gspread
from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

log = logging.getLogger("foodbank")

DEPOTS = ("st-marks-hall", "riverside-hub", "northgate-church")
COORDINATORS = {11872233, 20455121}
router = Router()


class ParcelLedger:
    def __init__(self, key_file: str, sheet_key: str):
        gc = gspread.service_account(filename=key_file)
        book = gc.open_by_key(sheet_key)
        self.sheet = book.worksheet("Parcels")
        self.stock = book.worksheet("Stock")

    async def record(self, depot: str, household: str, size: str, volunteer: str) -> None:
        self.sheet.append_row(  # bug: ADC101
            [date.today().isoformat(), depot, household, size, volunteer],
            value_input_option="USER_ENTERED",
        )

    async def stock_levels(self) -> dict[str, int]:
        rows = await asyncio.to_thread(self.stock.get_all_records)
        return {r["Depot"]: int(r["Parcels left"]) for r in rows}


@router.message(Command("parcel"))
async def cmd_parcel(message: Message, command: CommandObject, ledger: ParcelLedger, pool: asyncpg.Pool):
    try:
        depot, household, size = (command.args or "").split()
    except ValueError:
        await message.answer("Usage: /parcel <depot> <household-ref> <single|family|large>")
        return
    if depot not in DEPOTS:
        await message.answer(f"Unknown depot. One of: {', '.join(DEPOTS)}")
        return
    await pool.execute(
        "INSERT INTO collections (household_ref, depot, size, collected_on) VALUES ($1, $2, $3, current_date)",
        household, depot, size,
    )
    await ledger.record(depot, household, size, message.from_user.full_name)
    await message.answer(f"Logged {size} parcel for {household} at {depot}.")


@router.message(Command("stock"))
async def cmd_stock(message: Message, ledger: ParcelLedger):
    levels = await ledger.stock_levels()
    await message.answer("\n".join(f"{d}: {levels.get(d, '?')}" for d in DEPOTS))


@router.message(Command("remind"))
async def cmd_remind(message: Message, bot: Bot, pool: asyncpg.Pool):
    if message.from_user.id not in COORDINATORS:
        return
    households = await pool.fetch(
        "SELECT chat_id, depot, slot FROM bookings WHERE week_start = date_trunc('week', now())::date "
        "AND chat_id IS NOT NULL"
    )
    results = await asyncio.gather(  # bug: ADC502
        *(bot.send_message(h["chat_id"], f"Reminder: your parcel is ready at {h['depot']}, {h['slot']}.")
          for h in households),
        return_exceptions=True,
    )
    failed = sum(isinstance(r, Exception) for r in results)
    await message.answer(f"Reminders sent: {len(results) - failed}, failed: {failed}.")


@router.message(Command("volunteers"))
async def cmd_volunteers(message: Message, bot: Bot, pool: asyncpg.Pool):
    rows = await pool.fetch("SELECT chat_id, name FROM volunteers WHERE on_rota_this_week")
    for v in rows:
        # paced on purpose: a handful of people, and it keeps well under Telegram's limits
        await bot.send_message(v["chat_id"], f"Hi {v['name']}, you're on the rota this week. Thank you!")
        await asyncio.sleep(0.1)
    await message.answer(f"Pinged {len(rows)} volunteers.")


async def main(ledger: ParcelLedger) -> None:
    pool = await asyncpg.create_pool(os.environ["FOODBANK_DSN"])
    bot = Bot(os.environ["BOT_TOKEN"])
    dp = Dispatcher()
    dp.include_router(router)
    try:
        await dp.start_polling(bot, ledger=ledger, pool=pool)
    finally:
        await pool.close()
        await bot.session.close()


if __name__ == "__main__":
    # gspread authenticates and opens the workbook synchronously, before the loop starts
    asyncio.run(main(ParcelLedger(os.environ["GOOGLE_KEY_FILE"], os.environ["LEDGER_SHEET"])))
