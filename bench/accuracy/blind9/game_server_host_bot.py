"""Discord bot for a small Minecraft hosting co-op: start, stop, back up servers."""
from __future__ import annotations

import asyncio
import logging
import os

import discord
import docker
from discord import app_commands
from discord.ext import commands
from mcstatus import JavaServer

log = logging.getLogger("mchost")
GUILD = discord.Object(id=int(os.environ.get("GUILD_ID", "0")))


class Hosting(commands.Cog):
    def __init__(self, bot: commands.Bot, docker_client: docker.DockerClient) -> None:
        self.bot = bot
        self.docker = docker_client
        self._jobs: set[asyncio.Task] = set()

    def _keep(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    async def _announce_when_up(self, channel: discord.abc.Messageable, name: str, port: int) -> None:
        server = JavaServer("127.0.0.1", port)
        for _ in range(60):
            try:
                status = await server.async_status()
                await channel.send(f"**{name}** is up ({status.version.name}).")
                return
            except OSError:
                await asyncio.sleep(5)
        await channel.send(f"**{name}** did not come up within five minutes.")

    async def _log_usage(self, user: discord.abc.User, action: str, name: str) -> None:
        await self.bot.db.execute(
            "INSERT INTO usage (user_id, action, server) VALUES ($1, $2, $3)", user.id, action, name
        )

    @app_commands.command(name="restart", description="Restart your server")
    async def restart(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.defer(thinking=True)
        container = await asyncio.to_thread(self.docker.containers.get, f"mc-{name}")
        self.docker.api.restart(container.id, timeout=30)  # bug: ADC101
        asyncio.create_task(self._log_usage(interaction.user, "restart", name))  # bug: ADC301
        await interaction.followup.send(f"Restarting **{name}**…")
        self._keep(self._announce_when_up(interaction.channel, name, int(container.labels["mc.port"])))

    @app_commands.command(name="backup", description="Snapshot your world")
    async def backup(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.defer(thinking=True)
        container = await asyncio.to_thread(self.docker.containers.get, f"mc-{name}")
        # save-all must finish before the tarball is taken
        await asyncio.to_thread(container.exec_run, "rcon-cli save-all flush")
        exit_code, output = await asyncio.to_thread(
            container.exec_run, f"tar czf /backups/{name}.tgz -C /data world"
        )
        await self._log_usage(interaction.user, "backup", name)
        msg = "Backup done." if exit_code == 0 else f"Backup failed: {output.decode()[-300:]}"
        await interaction.followup.send(msg)

    @app_commands.command(name="players", description="Who is online")
    async def players(self, interaction: discord.Interaction, name: str) -> None:
        server = await JavaServer.async_lookup(f"{name}.mc.coop.example")
        status = await server.async_status()
        names = ", ".join(p.name for p in (status.players.sample or [])) or "nobody"
        await interaction.response.send_message(f"{status.players.online} online: {names}")


class HostBot(commands.Bot):
    def __init__(self, docker_client: docker.DockerClient, **kwargs) -> None:
        super().__init__(**kwargs)
        self.docker_client = docker_client

    async def setup_hook(self) -> None:
        import asyncpg

        self.db = await asyncpg.create_pool(os.environ["MCHOST_DSN"])
        await self.add_cog(Hosting(self, self.docker_client))
        self.tree.copy_global_to(guild=GUILD)
        await self.tree.sync(guild=GUILD)

    async def close(self) -> None:
        await self.db.close()
        await super().close()


if __name__ == "__main__":
    client = docker.from_env()
    HostBot(client, command_prefix="!", intents=discord.Intents.default()).run(os.environ["DISCORD_TOKEN"])
