"""Weather bot for the team chat (python-telegram-bot 20.x)."""
import asyncio
import datetime
import logging
import os

import requests
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

log = logging.getLogger("forecast-bot")

OWM_KEY = os.environ["OWM_KEY"]
GEO_URL = "https://api.openweathermap.org/geo/1.0/direct"
WEATHER_URL = "https://api.openweathermap.org/data/2.5/weather"


def _geocode(city: str) -> tuple[float, float] | None:
    r = requests.get(GEO_URL, params={"q": city, "limit": 1, "appid": OWM_KEY}, timeout=10)
    r.raise_for_status()
    hits = r.json()
    if not hits:
        return None
    return hits[0]["lat"], hits[0]["lon"]


async def weather(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not context.args:
        await update.message.reply_text("usage: /weather <city>")
        return
    city = " ".join(context.args)
    coords = await asyncio.to_thread(_geocode, city)
    if coords is None:
        await update.message.reply_text(f"I don't know where {city} is.")
        return
    lat, lon = coords
    resp = requests.get(  # bug: ADC101
        WEATHER_URL,
        params={"lat": lat, "lon": lon, "units": "metric", "appid": OWM_KEY},
        timeout=10,
    )
    data = resp.json()
    text = f"{city}: {data['main']['temp']:.0f}°C, {data['weather'][0]['description']}"
    await update.message.reply_text(text)


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    subs = context.bot_data.setdefault("subs", set())
    subs.add(update.effective_chat.id)
    log.info("chat %s subscribed", update.effective_chat.id)
    update.message.reply_text("Subscribed to the morning reminder.")  # bug: ADC201


async def morning(context: ContextTypes.DEFAULT_TYPE) -> None:
    # one message per chat, in order: Telegram throttles bursts anyway
    for chat_id in context.bot_data.get("subs", ()):
        await context.bot.send_message(chat_id, "Good morning! Send /weather <city>.")


def main() -> None:
    app = Application.builder().token(os.environ["TG_TOKEN"]).build()
    app.add_handler(CommandHandler("weather", weather))
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.job_queue.run_daily(morning, time=datetime.time(7, 0))
    app.run_polling()


if __name__ == "__main__":
    main()
