"""Discord bot for the Northern Uni Esports League brackets.

Team captains report scores with /report; the bot advances the bracket on
the tournament platform, opens a channel for the next match and reminds
both teams before check-in closes.
"""
import asyncio
import contextlib
import logging
import os
from datetime import datetime, timedelta, timezone

import discord
import httpx
from discord import app_commands
from discord.ext import commands, tasks

log = logging.getLogger("nuel")
PLATFORM = "https://api.brackets.example/v1"
EVENT = os.environ.get("NUEL_EVENT", "nuel-spring-valorant")


class Brackets(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.http = httpx.AsyncClient(base_url=PLATFORM, timeout=15,
                                      headers={"Authorization": f"Bearer {os.environ['BRACKETS_TOKEN']}"})
        self.entrants: dict[str, int] = {}
        self._refresh: asyncio.Task | None = None

    async def cog_load(self) -> None:
        self._refresh = asyncio.create_task(self.load_entrants())
        self.checkin_reminders.start()

    async def cog_unload(self) -> None:
        self.checkin_reminders.cancel()
        if self._refresh is not None:
            self._refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self._refresh
        await self.http.aclose()

    async def load_entrants(self) -> None:
        entrants, page = {}, 1
        while True:
            resp = await self.http.get(f"/events/{EVENT}/entrants", params={"page": page, "per_page": 100})
            resp.raise_for_status()
            data = resp.json()
            entrants.update({e["name"]: e["discord_role_id"] for e in data["entrants"]})
            if page >= data["total_pages"]:
                break
            page += 1
        self.entrants = entrants

    async def open_match_channel(self, guild: discord.Guild, match: dict) -> discord.TextChannel:
        overwrites = {guild.default_role: discord.PermissionOverwrite(view_channel=False)}
        for team in (match["team1"], match["team2"]):
            role = guild.get_role(self.entrants.get(team, 0))
            if role is not None:
                overwrites[role] = discord.PermissionOverwrite(view_channel=True)
        return await guild.create_text_channel(f"match-{match['id']}", overwrites=overwrites)

    @app_commands.command(name="report", description="Report your match score")
    async def report(self, interaction: discord.Interaction, match_id: int, ours: int, theirs: int) -> None:
        await interaction.response.defer(thinking=True)
        if self._refresh is not None and not self._refresh.done():
            await self._refresh
        resp = await self.http.post(f"/matches/{match_id}/report",
                                    json={"reporter": interaction.user.id, "score": [ours, theirs]})
        if resp.status_code == 409:
            await interaction.followup.send("The other captain reported a different score; an admin will check.")
            return
        resp.raise_for_status()
        nxt = resp.json().get("next_match")
        if nxt is None:
            await interaction.followup.send("Score recorded. That was the final, congratulations!")
            return
        channel = await self.open_match_channel(interaction.guild, nxt)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(channel.send(f"{nxt['team1']} vs {nxt['team2']}, check in by {nxt['checkin_by']}."))
            tg.create_task(interaction.followup.send(f"Score recorded. Next match: {channel.mention}"))

    @tasks.loop(minutes=5)
    async def checkin_reminders(self) -> None:
        soon = datetime.now(timezone.utc) + timedelta(minutes=30)
        resp = await self.http.get(f"/events/{EVENT}/matches", params={"state": "pending", "checkin_before": soon.isoformat()})
        resp.raise_for_status()
        matches = [m for m in resp.json()["matches"] if not m["reminded"]]
        if not matches:
            return
        channel = self.bot.get_channel(int(os.environ["NUEL_ANNOUNCE_CHANNEL"]))
        lines = [f"• {m['team1']} vs {m['team2']}: check in by {m['checkin_by']}" for m in matches]
        await channel.send("Check-in closes soon:\n" + "\n".join(lines))
        resp = await self.http.post(f"/events/{EVENT}/matches:markReminded", json=[m["id"] for m in matches])
        resp.raise_for_status()

    @checkin_reminders.before_loop
    async def before_reminders(self) -> None:
        await self.bot.wait_until_ready()


async def main() -> None:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())
    async with bot:
        await bot.add_cog(Brackets(bot))
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
