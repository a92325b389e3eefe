from __future__ import annotations

import asyncio
import logging
import os

import aiohttp
import discord
from discord.ext import commands, tasks

log = logging.getLogger("welcome")

WELCOME_API = os.environ.get("WELCOME_API", "https://community.internal/api")


class WelcomeBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(command_prefix="!", intents=intents)
        self.http_session: aiohttp.ClientSession | None = None
        self.background: set[asyncio.Task[None]] = set()
        self.welcomed = 0

    async def setup_hook(self) -> None:
        self.http_session = aiohttp.ClientSession(base_url=WELCOME_API + "/")
        self.refresh_roles.start()

    async def close(self) -> None:
        self.refresh_roles.cancel()
        if self.background:
            await asyncio.gather(*self.background, return_exceptions=True)
        if self.http_session is not None:
            await self.http_session.close()
        await super().close()

    async def _record_join(self, member: discord.Member) -> None:
        async with self.http_session.post("joins", json={"user": member.id, "guild": member.guild.id}) as resp:
            if resp.status >= 400:
                log.warning("join record for %s rejected: %s", member, resp.status)

    async def on_member_join(self, member: discord.Member) -> None:
        channel = member.guild.system_channel
        if channel is not None:
            await channel.send(f"Welcome {member.mention}! Say hi in #introductions.")
        self.welcomed += 1
        task = asyncio.create_task(self._record_join(member))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    @tasks.loop(minutes=15)
    async def refresh_roles(self) -> None:
        async with self.http_session.get("roles") as resp:
            if resp.status != 200:
                return
            mapping = await resp.json()
        for guild in self.guilds:
            role = discord.utils.get(guild.roles, name=mapping.get(str(guild.id), "member"))
            if role is not None:
                log.debug("guild %s uses role %s", guild, role)

    @refresh_roles.before_loop
    async def _before_refresh(self) -> None:
        await self.wait_until_ready()


bot = WelcomeBot()


@bot.command()
async def stats(ctx: commands.Context) -> None:
    await ctx.send(f"Welcomed {bot.welcomed} members since start.")


@bot.command()
async def profile(ctx: commands.Context, member: discord.Member) -> None:
    async with bot.http_session.get(f"profiles/{member.id}") as resp:
        if resp.status == 404:
            await ctx.send("No profile yet.")
            return
        data = await resp.json()
    await ctx.send(f"{member.display_name}: {data.get('bio', '')[:200]}")


if __name__ == "__main__":
    bot.run(os.environ["DISCORD_TOKEN"])
