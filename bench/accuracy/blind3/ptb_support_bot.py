"""Support desk bot on python-telegram-bot v21."""
import asyncio
import logging
import os

import httpx
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

log = logging.getLogger("supportbot")

DESK_API = os.environ.get("DESK_API", "https://desk.internal/api")


async def post_init(application: Application) -> None:
    application.bot_data["desk"] = httpx.AsyncClient(base_url=DESK_API, timeout=10)
    application.bot_data["agents_online"] = asyncio.Event()


async def post_shutdown(application: Application) -> None:
    await application.bot_data["desk"].aclose()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("Hi! Describe your problem and an agent will get back to you.")


async def _forward_to_desk(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str) -> None:
    desk: httpx.AsyncClient = context.bot_data["desk"]
    resp = await desk.post("/tickets", json={"chat_id": chat_id, "text": text})
    resp.raise_for_status()
    ticket = resp.json()["id"]
    await context.bot.send_message(chat_id, f"Ticket #{ticket} created.")


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.application.create_task(
        _forward_to_desk(context, update.effective_chat.id, update.message.text), update=update
    )
    if not context.bot_data["agents_online"].is_set():
        await update.message.reply_text("Our agents are offline right now; we will answer in the morning.")


async def agents(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    event: asyncio.Event = context.bot_data["agents_online"]
    if context.args and context.args[0] == "on":
        event.set()
    elif context.args and context.args[0] == "off":
        event.clear()
    await update.message.reply_text(f"agents online: {event.is_set()}")


async def wait_for_agent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    event: asyncio.Event = context.bot_data["agents_online"]
    try:
        await asyncio.wait_for(event.wait(), timeout=60)
    except asyncio.TimeoutError:
        await update.message.reply_text("Still no agent, sorry. Your ticket is in the queue.")
        return
    await update.message.reply_text("An agent is online now.")


def main() -> None:
    app = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("agents", agents))
    app.add_handler(CommandHandler("wait", wait_for_agent))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.run_polling()


if __name__ == "__main__":
    main()
