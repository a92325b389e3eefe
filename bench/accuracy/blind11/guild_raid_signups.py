"""Raid sign-ups for the <Ashen Vanguard> guild's Telegram group (python-telegram-bot 21)."""
import asyncio
import logging
import os
from datetime import datetime, timedelta

import asyncpg
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

log = logging.getLogger("raidbot")

OFFICERS_CHAT = -1001876543210
SLOTS = {"tank": 2, "healer": 5, "dps": 18}


async def init_db(app: Application) -> None:
    app.bot_data["pool"] = await asyncpg.create_pool(os.environ["RAID_DSN"], max_size=5)


async def close_db(app: Application) -> None:
    await app.bot_data["pool"].close()


async def post_raid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    name, when = context.args[0], datetime.fromisoformat(context.args[1])
    pool = context.bot_data["pool"]
    raid_id = await pool.fetchval("insert into raids (name, starts) values ($1, $2) returning id", name, when)
    buttons = [[InlineKeyboardButton(role.title(), callback_data=f"signup:{raid_id}:{role}") for role in SLOTS]]
    await update.message.reply_text(
        f"{name} on {when:%a %d %b %H:%M} server time. Sign up:", reply_markup=InlineKeyboardMarkup(buttons)
    )
    context.job_queue.run_once(
        raid_reminder, when=when - timedelta(minutes=30), chat_id=update.effective_chat.id, data=raid_id
    )


async def on_signup(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    _, raid_id, role = query.data.split(":")
    pool = context.bot_data["pool"]
    taken = await pool.fetchval(
        "select count(*) from signups where raid_id = $1 and role = $2", int(raid_id), role
    )
    if taken >= SLOTS[role]:
        await query.answer(f"All {role} spots are taken, you're on the bench.", show_alert=True)
        return
    await pool.execute(
        "insert into signups (raid_id, telegram_id, role) values ($1, $2, $3) on conflict do nothing",
        int(raid_id), query.from_user.id, role,
    )
    await query.answer(f"Signed up as {role}.")
    if taken + 1 == SLOTS[role]:
        context.bot.send_message(OFFICERS_CHAT, f"Raid {raid_id}: {role} spots are now full.")  # bug: ADC201


async def raid_reminder(context: ContextTypes.DEFAULT_TYPE) -> None:
    rows = await context.bot_data["pool"].fetch(
        "select m.name, s.role from signups s join members m using (telegram_id)"
        " where s.raid_id = $1 order by s.role, m.name",
        context.job.data,
    )
    roster = "\n".join(f"{r['role']}: {r['name']}" for r in rows)
    await context.bot.send_message(context.job.chat_id, f"Raid in 30 minutes! Roster:\n{roster}")


async def remind(bot, telegram_id: int, raid_id: int) -> None:
    try:
        await bot.send_message(telegram_id, f"Raid {raid_id} still needs people - sign up in the guild chat!")
    except Forbidden:
        log.info("%s has blocked the bot", telegram_id)


async def ping_all(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raid_id = int(context.args[0])
    members = await context.bot_data["pool"].fetch(
        "select telegram_id from members where active and telegram_id not in"
        " (select telegram_id from signups where raid_id = $1)",
        raid_id,
    )
    if not members:
        await update.message.reply_text("Everyone is already signed up.")
        return
    await asyncio.wait([asyncio.create_task(remind(context.bot, m["telegram_id"], raid_id)) for m in members])  # bug: ADC502
    await update.message.reply_text(f"Pinged {len(members)} members.")


async def dm_roster(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raid_id = int(context.args[0])
    pool = context.bot_data["pool"]
    raid = await pool.fetchrow("select name, starts from raids where id = $1", raid_id)
    rows = await pool.fetch("select telegram_id, role from signups where raid_id = $1", raid_id)
    for r in rows:
        try:
            await context.bot.send_message(
                r["telegram_id"], f"{raid['name']} at {raid['starts']:%H:%M}: you're in as {r['role']}."
            )
        except Forbidden:
            pass
        await asyncio.sleep(0.05)  # stay under Telegram's 30 messages per second


def main() -> None:
    app = (
        Application.builder().token(os.environ["BOT_TOKEN"])
        .post_init(init_db).post_shutdown(close_db).build()
    )
    app.add_handler(CommandHandler("raid", post_raid))
    app.add_handler(CommandHandler("pingall", ping_all))
    app.add_handler(CommandHandler("dmroster", dm_roster))
    app.add_handler(CallbackQueryHandler(on_signup, pattern=r"^signup:"))
    app.run_polling()


if __name__ == "__main__":
    main()
