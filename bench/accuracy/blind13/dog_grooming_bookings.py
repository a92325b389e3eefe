"""Telegram booking bot for Scruffs & Suds dog grooming.

The salon's diary lives in the groomers' booking service. The front desk's
old Tkinter app imports `busy_sync` from here, hence that plain function.
"""
from __future__ import annotations

import asyncio
import logging
import os
from datetime import date, datetime, time, timedelta

import aiosqlite
import httpx
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

BOOKINGS_API = "https://salon.bookwell.example/api/v1"
OPEN, CLOSE = time(9), time(17)
SLOT = timedelta(minutes=90)
DB_PATH = "scruffs.sqlite3"


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {os.environ['BOOKWELL_TOKEN']}"}


def slots_for(day: date, busy: list[tuple[datetime, datetime]]) -> list[datetime]:
    free, t = [], datetime.combine(day, OPEN)
    while t + SLOT <= datetime.combine(day, CLOSE):
        if all(t + SLOT <= start or t >= end for start, end in busy):
            free.append(t)
        t += SLOT
    return free


async def fetch_busy(client: httpx.AsyncClient, day: date) -> list[tuple[datetime, datetime]]:
    resp = await client.get(f"{BOOKINGS_API}/busy", params={"date": day.isoformat()})
    resp.raise_for_status()
    return [(datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"])) for b in resp.json()]


def busy_sync(day: date) -> list[tuple[datetime, datetime]]:
    """For the front desk app, which is plain Tkinter."""

    async def _run():
        async with httpx.AsyncClient(headers=auth(), timeout=10) as client:
            return await fetch_busy(client, day)

    return asyncio.run(_run())


async def post_init(app: Application) -> None:
    app.bot_data["http"] = httpx.AsyncClient(headers=auth(), timeout=10)
    db = app.bot_data["db"] = await aiosqlite.connect(DB_PATH)
    await db.execute("CREATE TABLE IF NOT EXISTS bookings (id TEXT, chat_id INTEGER, dog TEXT, at TEXT)")
    await db.commit()


async def post_shutdown(app: Application) -> None:
    await app.bot_data["http"].aclose()
    await app.bot_data["db"].close()


async def free(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    day = date.fromisoformat(context.args[0]) if context.args else date.today() + timedelta(days=1)
    slots = slots_for(day, await fetch_busy(context.bot_data["http"], day))
    text = ", ".join(f"{s:%H:%M}" for s in slots) or "nothing free, sorry"
    await update.message.reply_text(f"{day:%a %d %b}: {text}")


async def remind(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    text = f"Reminder: {job.data['dog']} is booked in tomorrow at {job.data['at']:%H:%M}. A walk first helps!"
    await context.bot.send_message(job.chat_id, text)


async def book(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # /book 2026-03-14 10:30 Biscuit
    day = date.fromisoformat(context.args[0])
    at = datetime.combine(day, time.fromisoformat(context.args[1]))
    dog = " ".join(context.args[2:]) or "your dog"
    busy = busy_sync(day)  # bug: ADC103
    if at not in slots_for(day, busy):
        await update.message.reply_text("That slot is taken. Try /free " + day.isoformat())
        return
    http: httpx.AsyncClient = context.bot_data["http"]
    resp = await http.post(f"{BOOKINGS_API}/appointments", json={"start": at.isoformat(), "title": dog})
    resp.raise_for_status()
    booking_id = resp.json()["id"]
    db = context.bot_data["db"]
    await db.execute("INSERT INTO bookings VALUES (?, ?, ?, ?)", (booking_id, update.effective_chat.id, dog, at.isoformat()))
    await db.commit()
    context.job_queue.run_once(
        remind, at - timedelta(hours=18), chat_id=update.effective_chat.id,
        name=f"remind-{booking_id}", data={"dog": dog, "at": at},
    )
    await update.message.reply_text(f"Booked {dog} for {at:%a %d %b at %H:%M}.")


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    db = context.bot_data["db"]
    query = "SELECT id, dog, at FROM bookings WHERE chat_id = ? AND at > ? ORDER BY at LIMIT 1"
    async with db.execute(query, (update.effective_chat.id, datetime.now().isoformat())) as cur:
        row = await cur.fetchone()
    if row is None:
        update.message.reply_text("You have no upcoming booking.")  # bug: ADC201
        return
    resp = await context.bot_data["http"].delete(f"{BOOKINGS_API}/appointments/{row[0]}")
    resp.raise_for_status()
    await db.execute("DELETE FROM bookings WHERE id = ?", (row[0],))
    await db.commit()
    for job in context.job_queue.get_jobs_by_name(f"remind-{row[0]}"):
        job.schedule_removal()
    await update.message.reply_text(f"Cancelled {row[1]}'s appointment on {datetime.fromisoformat(row[2]):%a %d %b}.")


def main() -> None:
    builder = Application.builder().token(os.environ["TG_TOKEN"])
    app = builder.post_init(post_init).post_shutdown(post_shutdown).build()
    app.add_handler(CommandHandler("free", free))
    app.add_handler(CommandHandler("book", book))
    app.add_handler(CommandHandler("cancel", cancel))
    app.run_polling()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
