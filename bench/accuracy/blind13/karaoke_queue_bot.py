"""Song queue bot for the Velvet Mic karaoke bar's Discord server.

Guests queue songs from their phones with !sing. The KJ (karaoke jockey)
moves the queue on with !next, and the screens above the stage show who is
up next.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from dataclasses import dataclass

import discord
import httpx
from discord.ext import commands, tasks

log = logging.getLogger("velvetmic")
SCREENS_API = "http://screens.velvetmic.lan/api"
CATALOGUE_API = "https://catalogue.songbook.example/v1"
MAX_PER_GUEST = 2


@dataclass
class SongRequest:
    guest_id: int
    guest_name: str
    song_id: str
    title: str


class KaraokeQueue(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.queue: deque[SongRequest] = deque()
        self.lock = asyncio.Lock()
        self.http = httpx.AsyncClient(timeout=5)
        self.current: SongRequest | None = None

    async def cog_load(self) -> None:
        self.announce.start()

    async def cog_unload(self) -> None:
        self.announce.cancel()
        await self.http.aclose()

    async def search(self, query: str) -> dict | None:
        headers = {"X-Venue-Key": os.environ["SONGBOOK_KEY"]}
        resp = await self.http.get(f"{CATALOGUE_API}/search", params={"q": query, "limit": 1}, headers=headers)
        resp.raise_for_status()
        hits = resp.json()["songs"]
        return hits[0] if hits else None

    async def update_screens(self) -> None:
        now = self.current.guest_name if self.current else None
        upcoming = [{"guest": r.guest_name, "title": r.title} for r in list(self.queue)[:5]]
        resp = await self.http.put(f"{SCREENS_API}/upnext", json={"now": now, "next": upcoming})
        resp.raise_for_status()

    @commands.command(name="sing")
    async def sing(self, ctx: commands.Context, *, query: str) -> None:
        song = await self.search(query)
        if song is None:
            await ctx.send(f"Nothing in the songbook for '{query}'.")
            return
        async with self.lock:
            mine = sum(1 for r in self.queue if r.guest_id == ctx.author.id)
            if mine >= MAX_PER_GUEST:
                await ctx.send(f"{ctx.author.display_name}, you already have {mine} songs queued.")
                return
            self.queue.append(SongRequest(ctx.author.id, ctx.author.display_name, song["id"], song["title"]))
            position = len(self.queue)
        asyncio.create_task(self.update_screens())  # bug: ADC301
        await ctx.send(f"#{position}: {song['title']} for {ctx.author.display_name}")

    @commands.command(name="next")
    @commands.has_role("KJ")
    async def next_singer(self, ctx: commands.Context) -> None:
        async with self.lock:
            self.current = self.queue.popleft() if self.queue else None
        await self.update_screens()
        if self.current is None:
            await ctx.send("The queue is empty: open mic!")
            return
        resp = await self.http.post(f"{SCREENS_API}/play", json={"song": self.current.song_id})
        resp.raise_for_status()
        await ctx.send(f"{self.current.guest_name}, you're up: {self.current.title}")

    @commands.command(name="skip")
    @commands.has_role("KJ")
    async def skip(self, ctx: commands.Context, position: int) -> None:
        async with self.lock:
            if not 1 <= position <= len(self.queue):
                await ctx.send("No such position.")
                return
            removed = self.queue[position - 1]
            del self.queue[position - 1]
        ctx.send(f"Removed {removed.title} ({removed.guest_name}).")  # bug: ADC201
        await self.update_screens()

    @tasks.loop(minutes=15)
    async def announce(self) -> None:
        channel = self.bot.get_channel(int(os.environ["ANNOUNCE_CHANNEL"]))
        if channel is not None and self.queue:
            wait = len(self.queue) * 4
            await channel.send(f"{len(self.queue)} songs queued, about {wait} minutes to wait.")

    @announce.before_loop
    async def before_announce(self) -> None:
        await self.bot.wait_until_ready()


async def main() -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents)
    async with bot:
        await bot.add_cog(KaraokeQueue(bot))
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
