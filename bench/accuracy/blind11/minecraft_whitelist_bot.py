"""Discord bot for the Blocktown SMP: whitelist requests, online list, status in the bot's presence."""
import asyncio
import logging
import os
import re
import threading

import discord
from discord import app_commands
from mcrcon import MCRcon

log = logging.getLogger("smpbot")

GUILD = discord.Object(id=884512300915003392)
MOD_ROLE = "Moderator"
NAME_RE = re.compile(r"^[A-Za-z0-9_]{3,16}$")


class SMPBot(discord.Client):
    def __init__(self, rcon: MCRcon):
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)
        self.rcon = rcon
        self._rcon_lock = threading.Lock()
        self._presence_task: asyncio.Task | None = None

    def _rcon(self, command: str) -> str:
        with self._rcon_lock:
            return self.rcon.command(command)

    async def setup_hook(self) -> None:
        self.tree.copy_global_to(guild=GUILD)
        await self.tree.sync(guild=GUILD)
        self._presence_task = asyncio.create_task(self.presence_loop())

    async def close(self) -> None:
        if self._presence_task:
            self._presence_task.cancel()
        await super().close()

    async def presence_loop(self) -> None:
        await self.wait_until_ready()
        while not self.is_closed():
            try:
                reply = await asyncio.to_thread(self._rcon, "list")
                online = int(reply.split()[2])
                await self.change_presence(activity=discord.Game(f"{online} online on Blocktown"))
                await asyncio.sleep(60)
            except asyncio.CancelledError:  # bug: ADC601
                log.info("presence update interrupted")
            except (OSError, ValueError, IndexError):
                log.warning("server did not answer the player list")
                await asyncio.sleep(120)


def build_bot(rcon: MCRcon) -> SMPBot:
    bot = SMPBot(rcon)

    @bot.tree.command(name="online", description="Who is on the server right now")
    async def online(interaction: discord.Interaction):
        reply = await asyncio.to_thread(bot._rcon, "list")
        await interaction.response.send_message(reply or "The server did not answer.", ephemeral=True)

    @bot.tree.command(name="whitelist", description="Add a Java username to the whitelist")
    @app_commands.checks.has_role(MOD_ROLE)
    async def whitelist(interaction: discord.Interaction, username: str):
        if not NAME_RE.match(username):
            await interaction.response.send_message("That is not a valid Minecraft name.", ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        reply = bot._rcon(f"whitelist add {username}")  # bug: ADC101
        await interaction.followup.send(f"`{reply}`")

    @whitelist.error
    async def whitelist_error(interaction: discord.Interaction, error: app_commands.AppCommandError):
        if isinstance(error, app_commands.MissingRole):
            await interaction.response.send_message("Only moderators can whitelist players.", ephemeral=True)
        else:
            raise error

    return bot


def main() -> None:
    rcon = MCRcon(os.environ["RCON_HOST"], os.environ["RCON_PASSWORD"], port=25575)
    rcon.connect()
    try:
        build_bot(rcon).run(os.environ["DISCORD_TOKEN"], log_handler=None)
    finally:
        rcon.disconnect()


if __name__ == "__main__":
    main()
