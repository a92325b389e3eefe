"""Mattermost standup bot: posts the daily prompt and collects answers."""
import asyncio
import atexit
import json
import logging
from datetime import date

import aiohttp
import websockets

log = logging.getLogger("standup")

MM_URL = "https://mm.example.org"
MM_WS = "wss://mm.example.org/api/v4/websocket"
STANDUP_CHANNEL = "q8c3x1tz7bdyfp5oj1n6a4k9we"


class StandupBot:
    def __init__(self, token: str, bot_id: str) -> None:
        self.token = token
        self.bot_id = bot_id
        self.headers = {"Authorization": f"Bearer {token}"}
        self.answers: dict[str, list[str]] = {}
        self.api = aiohttp.ClientSession(MM_URL, headers=self.headers)

    async def post(self, channel_id: str, message: str, root_id: str = "") -> dict:
        async with aiohttp.ClientSession(MM_URL, headers=self.headers) as http:  # bug: ADC402
            async with http.post("/api/v4/posts", json={"channel_id": channel_id, "message": message, "root_id": root_id}) as resp:
                return await resp.json()

    async def members(self, channel_id: str) -> list[str]:
        async with self.api.get(f"/api/v4/channels/{channel_id}/members", params={"per_page": 200}) as resp:
            return [m["user_id"] for m in await resp.json()]

    async def prompt(self) -> str:
        post = await self.post(STANDUP_CHANNEL, f"Standup for {date.today():%A %d %B}: reply in thread!")
        return post["id"]

    async def listen(self, root_id: str) -> None:
        async with websockets.connect(MM_WS, additional_headers=self.headers) as ws:
            async for raw in ws:
                event = json.loads(raw)
                if event.get("event") != "posted":
                    continue
                post = json.loads(event["data"]["post"])
                if post.get("root_id") == root_id:
                    self.answers.setdefault(post["user_id"], []).append(post["message"])
                    await self.post(STANDUP_CHANNEL, ":white_check_mark:", root_id=root_id)

    async def remind(self, user_id: str) -> None:
        async with self.api.post("/api/v4/channels/direct", json=[self.bot_id, user_id]) as resp:
            channel = await resp.json()
        await self.post(channel["id"], "You missed today's standup, add your notes when you can.")

    async def close(self) -> None:
        await self.api.close()

    async def run(self, window: float = 3 * 3600) -> None:
        root_id = await self.prompt()
        try:
            await asyncio.wait_for(self.listen(root_id), timeout=window)
        except asyncio.TimeoutError:
            pass
        everyone = await self.members(STANDUP_CHANNEL)
        missing = [u for u in everyone if u not in self.answers and u != self.bot_id]
        await self.post(STANDUP_CHANNEL, f"{len(missing)} people did not answer today.", root_id=root_id)
        for user_id in missing:
            await self.remind(user_id)  # bug: ADC501


async def main(token: str, bot_id: str) -> None:
    bot = StandupBot(token, bot_id)
    atexit.register(bot.close)  # bug: ADC202
    await bot.run()


if __name__ == "__main__":
    asyncio.run(main("TOKEN", "standup-bot-user-id"))
