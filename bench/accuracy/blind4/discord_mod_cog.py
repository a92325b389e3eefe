import asyncio
import logging

import discord
from discord.ext import commands, tasks

log = logging.getLogger("modbot")


class Moderation(commands.Cog):
    def __init__(self, bot: commands.Bot):
        self.bot = bot
        self.audit_channel_id = 1048576
        self._pending: set[asyncio.Task] = set()
        self.sweep.start()

    async def _log_action(self, text: str) -> None:
        channel = self.bot.get_channel(self.audit_channel_id)
        if channel is not None:
            await channel.send(text)

    async def _unmute(self, member: discord.Member, role: discord.Role) -> None:
        await member.remove_roles(role, reason="mute expired")
        await self._log_action(f"unmuted {member}")

    @commands.command()
    @commands.has_permissions(manage_roles=True)
    async def mute(self, ctx: commands.Context, member: discord.Member, minutes: int = 10):
        role = discord.utils.get(ctx.guild.roles, name="Muted")
        await member.add_roles(role, reason=f"muted by {ctx.author}")
        self.bot.loop.call_later(minutes * 60, self._unmute, member, role)  # bug: ADC202
        asyncio.create_task(self._log_action(f"{ctx.author} muted {member} for {minutes}m"))  # bug: ADC301
        await ctx.reply(f"{member.mention} muted for {minutes} minutes")

    @commands.command()
    async def warn(self, ctx: commands.Context, member: discord.Member, *, reason: str):
        task = asyncio.create_task(self._log_action(f"warned {member}: {reason}"))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        await member.send(f"You were warned in {ctx.guild.name}: {reason}")

    @tasks.loop(minutes=5)
    async def sweep(self):
        watched = sum(g.member_count or 0 for g in self.bot.guilds)
        await self.bot.change_presence(activity=discord.Game(f"watching {watched} members"))

    @sweep.before_loop
    async def before_sweep(self):
        await self.bot.wait_until_ready()

    def cog_unload(self):
        self.sweep.cancel()


async def setup(bot: commands.Bot):
    await bot.add_cog(Moderation(bot))
