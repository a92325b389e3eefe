import asyncio
import datetime as dt
import logging

import discord
from discord.ext import commands, tasks

log = logging.getLogger(__name__)

MOD_LOG_CHANNEL = 1093847561239875

class Moderation(commands.Cog):
    def __init__(self, bot: commands.Bot):
        self.bot = bot
        self._timers: set[asyncio.Task] = set()
        self.sweep_old_warnings.start()

    def cog_unload(self):
        self.sweep_old_warnings.cancel()
        for t in self._timers:
            t.cancel()

    async def _delete_later(self, message: discord.Message, delay: float):
        await asyncio.sleep(delay)
        try:
            await message.delete()
        except discord.NotFound:
            pass

    async def _unmute_later(self, member, role, seconds):
        await asyncio.sleep(seconds)
        await member.remove_roles(role, reason="mute expired")

    @commands.command()
    @commands.has_permissions(manage_roles=True)
    async def mute(self, ctx, member: discord.Member, minutes: int = 10):
        role = discord.utils.get(ctx.guild.roles, name="Muted")
        await member.add_roles(role, reason=f"muted by {ctx.author}")
        t = asyncio.create_task(self._unmute_later(member, role, minutes * 60))
        self._timers.add(t)
        t.add_done_callback(self._timers.discard)
        reply = await ctx.send(f"{member.mention} muted for {minutes} min")
        asyncio.create_task(self._delete_later(reply, 30))  # bug: ADC301

    @commands.command()
    async def warn(self, ctx, member: discord.Member, *, reason: str):
        channel = self.bot.get_channel(MOD_LOG_CHANNEL)
        await channel.send(f"⚠️ {member} warned by {ctx.author}: {reason}")
        await ctx.message.add_reaction("✅")

    @tasks.loop(minutes=30)
    async def sweep_old_warnings(self):
        cutoff = discord.utils.utcnow() - dt.timedelta(days=30)
        channel = self.bot.get_channel(MOD_LOG_CHANNEL)
        try:
            async for entry in channel.history(before=cutoff, limit=200):
                await entry.delete()
        except asyncio.CancelledError:  # bug: ADC601
            log.info("warning sweep interrupted")
        except discord.HTTPException as exc:
            log.warning("sweep failed: %s", exc)

    @sweep_old_warnings.before_loop
    async def _wait_ready(self):
        await self.bot.wait_until_ready()


async def setup(bot: commands.Bot):
    await bot.add_cog(Moderation(bot))
