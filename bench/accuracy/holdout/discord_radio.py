import asyncio
import functools
import logging
import os

import discord
import yt_dlp
from discord.ext import commands

log = logging.getLogger("radio")

YDL_OPTS = {"format": "bestaudio/best", "noplaylist": True, "quiet": True}
FFMPEG_OPTS = {"before_options": "-reconnect 1 -reconnect_streamed 1", "options": "-vn"}


def extract(query: str) -> dict:
    with yt_dlp.YoutubeDL(YDL_OPTS) as ydl:
        info = ydl.extract_info(f"ytsearch:{query}", download=False)
    return info["entries"][0]


class Radio(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.queue: asyncio.Queue[dict] = asyncio.Queue()
        self.next_song = asyncio.Event()
        self.player_task = bot.loop.create_task(self.player())

    def cog_unload(self) -> None:
        self.player_task.cancel()

    async def player(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self.next_song.clear()
            song = await self.queue.get()
            vc: discord.VoiceClient = song["voice"]
            source = discord.FFmpegPCMAudio(song["url"], **FFMPEG_OPTS)
            vc.play(source, after=lambda _: self.bot.loop.call_soon_threadsafe(self.next_song.set))
            await song["channel"].send(f"▶️ {song['title']}")
            await self.next_song.wait()

    @commands.command()
    async def play(self, ctx: commands.Context, *, query: str) -> None:
        if ctx.author.voice is None:
            await ctx.send("join a voice channel first")
            return
        vc = ctx.voice_client or await ctx.author.voice.channel.connect()
        loop = asyncio.get_running_loop()
        info = await loop.run_in_executor(None, functools.partial(extract, query))
        await self.queue.put({"voice": vc, "url": info["url"], "title": info["title"], "channel": ctx.channel})
        await ctx.send(f"queued **{info['title']}** (position {self.queue.qsize()})")

    @commands.command()
    async def skip(self, ctx: commands.Context) -> None:
        if ctx.voice_client and ctx.voice_client.is_playing():
            ctx.voice_client.stop()
            await ctx.message.add_reaction("⏭️")


async def main() -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents)
    async with bot:
        await bot.add_cog(Radio(bot))
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
