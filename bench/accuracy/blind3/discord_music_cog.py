import asyncio
import logging
import threading

import discord
from discord.ext import commands
import yt_dlp

log = logging.getLogger("bot.music")

YTDL_OPTS = {"format": "bestaudio/best", "noplaylist": True, "quiet": True}
FFMPEG_OPTS = {"before_options": "-reconnect 1 -reconnect_streamed 1", "options": "-vn"}


class GuildPlayer:
    def __init__(self, bot, guild_id, idle_timeout=300):
        self.bot = bot
        self.guild_id = guild_id
        self.queue = asyncio.Queue()
        self.next_ready = asyncio.Event()
        self.idle_timeout = idle_timeout
        self.voice = None

    async def player_loop(self):
        while True:
            try:
                track = await asyncio.wait_for(self.queue.get(), timeout=self.idle_timeout)
            except asyncio.TimeoutError:
                await self.voice.disconnect()
                return
            self.next_ready.clear()
            source = discord.FFmpegPCMAudio(track["url"], **FFMPEG_OPTS)
            self.voice.play(source, after=lambda _err: self.bot.loop.call_soon_threadsafe(self.next_ready.set))
            await self.next_ready.wait()


class Music(commands.Cog):
    def __init__(self, bot):
        self.bot = bot
        self.players = {}
        self._ytdl = yt_dlp.YoutubeDL(YTDL_OPTS)

    def _extract(self, query):
        info = self._ytdl.extract_info(f"ytsearch:{query}", download=False)
        entry = info["entries"][0]
        return {"title": entry["title"], "url": entry["url"], "duration": entry.get("duration", 0)}

    async def _announce(self, channel, track):
        embed = discord.Embed(title="Queued", description=track["title"])
        embed.set_footer(text=f"{track['duration'] // 60}:{track['duration'] % 60:02d}")
        await channel.send(embed=embed)

    async def _start_player(self, player):
        try:
            await player.player_loop()
        finally:
            self.players.pop(player.guild_id, None)

    @commands.command()
    async def play(self, ctx, *, query: str):
        if ctx.author.voice is None:
            return await ctx.send("Join a voice channel first.")
        track = await asyncio.to_thread(self._extract, query)
        player = self.players.get(ctx.guild.id)
        if player is None:
            player = GuildPlayer(self.bot, ctx.guild.id)
            player.voice = await ctx.author.voice.channel.connect()
            self.players[ctx.guild.id] = player
            threading.Thread(target=self._start_player, args=(player,), daemon=True).start()  # bug: ADC202
        player.queue.put_nowait(track)
        asyncio.create_task(self._announce(ctx.channel, track))  # bug: ADC301

    @commands.command()
    async def skip(self, ctx):
        player = self.players.get(ctx.guild.id)
        if player and player.voice and player.voice.is_playing():
            player.voice.stop()
            await ctx.message.add_reaction("\u23ed")


async def setup(bot):
    await bot.add_cog(Music(bot))
