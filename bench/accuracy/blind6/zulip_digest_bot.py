"""Zulip bot: answers `@digest` with a summary and posts a daily digest at 09:00."""
import asyncio
import logging
import threading
from datetime import datetime, time, timedelta

import zulip

log = logging.getLogger("digest_bot")

STREAMS = ("engineering", "support", "releases")


class DigestBot:
    def __init__(self, config_file: str) -> None:
        self.client = zulip.Client(config_file=config_file)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.requests: asyncio.Queue[dict] = asyncio.Queue()

    def _recent(self, stream: str, limit: int = 50) -> list[dict]:
        narrow = [{"operator": "stream", "operand": stream}]
        result = self.client.get_messages({"anchor": "newest", "num_before": limit, "num_after": 0, "narrow": narrow})
        return result.get("messages", [])

    async def digest(self) -> str:
        per_stream = await asyncio.gather(*(asyncio.to_thread(self._recent, s) for s in STREAMS))
        lines = []
        for stream, messages in zip(STREAMS, per_stream):
            topics = sorted({m["subject"] for m in messages})
            lines.append(f"**#{stream}**: {len(messages)} messages in {', '.join(topics[:5]) or 'no topics'}")
        return "\n".join(lines)

    def _on_message(self, message: dict) -> None:
        # runs in zulip's polling thread
        if message["type"] == "stream" and "@**digest**" in message["content"]:
            asyncio.run_coroutine_threadsafe(self.requests.put(message), self.loop)

    async def answer_requests(self) -> None:
        while True:
            msg = await self.requests.get()
            text = await self.digest()
            reply = {"type": "stream", "to": msg["display_recipient"], "topic": msg["subject"], "content": text}
            await asyncio.to_thread(self.client.send_message, reply)

    async def daily(self, at: time = time(9, 0)) -> None:
        while True:
            now = datetime.now()
            target = datetime.combine(now.date(), at)
            if target <= now:
                target += timedelta(days=1)
            await asyncio.sleep((target - now).total_seconds())
            text = await self.digest()
            await asyncio.to_thread(self.client.send_message,
                                    {"type": "stream", "to": "general", "topic": "daily digest", "content": text})

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        poller = threading.Thread(target=self.client.call_on_each_message, args=(self._on_message,), daemon=True)
        poller.start()
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.answer_requests())
            tg.create_task(self.daily())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(DigestBot("~/.zuliprc").run())
