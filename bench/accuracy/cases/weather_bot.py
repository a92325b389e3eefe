import logging
import os

from aiohttp import ClientSession as Session
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

log = logging.getLogger(__name__)
OWM_KEY = os.environ.get("OWM_KEY", "")
OWM_URL = "https://api.openweathermap.org/data/2.5/weather"


async def current_weather(city: str) -> str:
    http = Session()  # bug: ADC401
    resp = await http.get(OWM_URL, params={"q": city, "appid": OWM_KEY, "units": "metric"})
    if resp.status != 200:
        return f"Couldn't find weather for {city}."
    data = await resp.json()
    return f"{city}: {data['main']['temp']:.0f}°C, {data['weather'][0]['description']}"


async def weather_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    city = " ".join(context.args) or "London"
    text = await current_weather(city)
    await update.message.reply_text(text)


async def start_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("Send /weather <city>")


def main() -> None:
    app = Application.builder().token(os.environ["BOT_TOKEN"]).build()
    app.add_handler(CommandHandler("start", start_cmd))
    app.add_handler(CommandHandler("weather", weather_cmd))
    app.run_polling()


if __name__ == "__main__":
    main()
