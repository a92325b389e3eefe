"""Forwards posts from source channels to a digest channel, with filters."""
import asyncio
import logging
import os
import re

from telethon import TelegramClient, events
from telethon.errors import FloodWaitError

log = logging.getLogger("forwarder")

API_ID = int(os.environ["TG_API_ID"])
API_HASH = os.environ["TG_API_HASH"]
SOURCES = [s.strip() for s in os.environ.get("TG_SOURCES", "").split(",") if s.strip()]
TARGET = os.environ["TG_TARGET"]
BLOCKLIST = re.compile(os.environ.get("TG_BLOCKLIST", r"(?i)\b(giveaway|promo code)\b"))


class Forwarder:
    def __init__(self, client):
        self.client = client
        self.queue = asyncio.Queue(maxsize=1000)
        self.forwarded = 0
        self.paused = False

    async def on_new_message(self, event):
        text = event.message.message or ""
        if BLOCKLIST.search(text):
            return
        await self.queue.put(event.message)

    async def wait_until_resumed(self):
        while self.paused:  # bug: ADC503
            await asyncio.sleep(1)

    async def sender(self):
        while True:
            message = await self.queue.get()
            await self.wait_until_resumed()
            try:
                await self.client.forward_messages(TARGET, message)
                self.forwarded += 1
            except FloodWaitError as exc:
                log.warning("flood wait %ss", exc.seconds)
                await asyncio.sleep(exc.seconds)
                await self.queue.put(message)
            except:  # bug: ADC601
                log.exception("could not forward message %s", message.id)
            finally:
                self.queue.task_done()

    async def on_admin(self, event):
        cmd = event.raw_text.strip().lower()
        if cmd == "/pause":
            self.paused = True
        elif cmd == "/resume":
            self.paused = False
        elif cmd == "/stats":
            await event.reply(f"forwarded {self.forwarded}, queued {self.queue.qsize()}")


async def main():
    logging.basicConfig(level=logging.INFO)
    client = TelegramClient("forwarder", API_ID, API_HASH)
    await client.start()
    fwd = Forwarder(client)
    client.add_event_handler(fwd.on_new_message, events.NewMessage(chats=SOURCES))
    client.add_event_handler(fwd.on_admin, events.NewMessage(chats="me", pattern=r"^/"))
    async with asyncio.TaskGroup() as tg:
        tg.create_task(fwd.sender())
        tg.create_task(client.run_until_disconnected())


if __name__ == "__main__":
    asyncio.run(main())
