"""Telegram bot for a student residence laundromat (aiogram 3).

Residents tap /watch 3 to be told when washer 3 finishes. Machine states come
from the laundry operator's IoT cloud, polled every 30 s; one watcher task
per subscription waits on a Condition instead of polling itself.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os

import httpx
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramRetryAfter
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

log = logging.getLogger("laundry")
CLOUD = os.environ.get("LAUNDRY_CLOUD", "https://iot.laundry-operator.example/v1")
SITE = os.environ.get("LAUNDRY_SITE", "residence-nord")

dp = Dispatcher()
states: dict[int, str] = {}
changed = asyncio.Condition()
watchers: dict[tuple[int, int], asyncio.Task] = {}


async def send(bot: Bot, chat_id: int, text: str) -> None:
    for _ in range(3):
        try:
            await bot.send_message(chat_id, text)
            return
        except TelegramRetryAfter as exc:
            await asyncio.sleep(exc.retry_after)


async def poll_cloud(http: httpx.AsyncClient) -> None:
    while True:
        try:
            resp = await http.get(f"/sites/{SITE}/machines")
            resp.raise_for_status()
            async with changed:
                states.update({m["number"]: m["state"] for m in resp.json()["machines"]})
                changed.notify_all()
        except httpx.HTTPError as exc:
            log.warning("IoT cloud: %s", exc)
        await asyncio.sleep(30)


async def watch(bot: Bot, chat_id: int, machine: int) -> None:
    try:
        async with changed:
            await changed.wait_for(lambda: states.get(machine) == "running")
            await changed.wait_for(lambda: states.get(machine) != "running")
        await send(bot, chat_id, f"Machine {machine} is done. Please empty it within 15 minutes.")
    finally:
        watchers.pop((chat_id, machine), None)


@dp.message(Command("watch"))
async def on_watch(message: Message, command: CommandObject, bot: Bot) -> None:
    machine = int(command.args or 0)
    if machine not in states:
        await message.answer("Unknown machine number.")
        return
    key = (message.chat.id, machine)
    if key not in watchers:
        watchers[key] = asyncio.create_task(watch(bot, message.chat.id, machine))
    await message.answer(f"I'll tell you when machine {machine} is done.")


@dp.message(Command("unwatch"))
async def on_unwatch(message: Message, command: CommandObject) -> None:
    task = watchers.get((message.chat.id, int(command.args or 0)))
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await message.answer("OK, not watching.")


async def main() -> None:
    bot = Bot(os.environ["BOT_TOKEN"])
    try:
        async with httpx.AsyncClient(base_url=CLOUD, timeout=10,
                                     headers={"Authorization": f"Bearer {os.environ['LAUNDRY_TOKEN']}"}) as http:
            poller = asyncio.create_task(poll_cloud(http))
            try:
                await dp.start_polling(bot)
            finally:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
    finally:
        await bot.session.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
