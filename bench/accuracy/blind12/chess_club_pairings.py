"""Discord cog for a chess club's weekly Swiss tournament.

Players register with their Lichess username; ratings are fetched in one
bulk request. Pairings are computed locally (a few dozen players), stored
in one transaction with the round, and posted in the tournament channel.
A reminder goes to the channel an hour before each round.
"""
import asyncio
import datetime as dt
import logging

import aiohttp
import asyncpg
import discord
from discord.ext import commands, tasks

log = logging.getLogger("chess-club")

LICHESS_USERS = "https://lichess.org/api/users"
ROUND_TIME = dt.time(hour=18, minute=30, tzinfo=dt.timezone.utc)


def swiss_pairings(standings: list[dict], played: set[frozenset]) -> list[tuple[str, str | None]]:
    pool = sorted(standings, key=lambda p: (-p["points"], -p["rating"]))
    pairs, waiting = [], [p["name"] for p in pool]
    while waiting:
        first = waiting.pop(0)
        partner = next((o for o in waiting if frozenset((first, o)) not in played), None)
        if partner is None:
            pairs.append((first, None))
            continue
        waiting.remove(partner)
        pairs.append((first, partner))
    return pairs


class Tournament(commands.Cog):
    def __init__(self, bot: commands.Bot, pool: asyncpg.Pool, http: aiohttp.ClientSession, channel_id: int):
        self.bot = bot
        self.pool = pool
        self.http = http
        self.channel_id = channel_id
        self.rating_refresh: asyncio.Task | None = None
        self.reminder.start()

    async def cog_load(self) -> None:
        self.rating_refresh = asyncio.create_task(self.refresh_ratings())

    async def cog_unload(self) -> None:
        self.reminder.cancel()
        if self.rating_refresh is not None:
            self.rating_refresh.cancel()
            await asyncio.gather(self.rating_refresh, return_exceptions=True)

    async def ratings(self, usernames: list[str]) -> dict[str, int]:
        async with self.http.post(LICHESS_USERS, data=",".join(usernames)) as resp:
            resp.raise_for_status()
            users = await resp.json()
        return {u["username"].lower(): u["perfs"]["rapid"]["rating"] for u in users}

    async def refresh_ratings(self) -> None:
        names = [r["lichess"] for r in await self.pool.fetch("SELECT lichess FROM players WHERE active")]
        ratings = await self.ratings(names)
        await self.pool.executemany(
            "UPDATE players SET rating = $2 WHERE lower(lichess) = $1", list(ratings.items())
        )

    @commands.command()
    async def register(self, ctx: commands.Context, lichess: str) -> None:
        found = await self.ratings([lichess])
        if lichess.lower() not in found:
            await ctx.send(f"No Lichess account called {lichess}.")
            return
        await self.pool.execute(
            "INSERT INTO players (discord_id, lichess, rating, active) VALUES ($1, $2, $3, true)"
            " ON CONFLICT (discord_id) DO UPDATE SET lichess = $2, rating = $3, active = true",
            ctx.author.id, lichess, found[lichess.lower()],
        )
        await ctx.send(f"{ctx.author.mention} registered as {lichess} ({found[lichess.lower()]}).")

    @commands.command()
    @commands.has_role("Arbiter")
    async def pair(self, ctx: commands.Context) -> None:
        if self.rating_refresh is not None and not self.rating_refresh.done():
            await ctx.send("Waiting for the rating refresh started at load...")
            await self.rating_refresh
        async with self.pool.acquire() as conn, conn.transaction():
            round_no = await conn.fetchval("INSERT INTO rounds (started) VALUES (now()) RETURNING number")
            standings = [dict(r) for r in await conn.fetch(
                "SELECT lichess AS name, rating, points FROM standings WHERE active"
            )]
            played = {frozenset((g["white"], g["black"])) for g in await conn.fetch("SELECT white, black FROM games")}
            pairs = swiss_pairings(standings, played)
            await conn.executemany(
                "INSERT INTO games (round, white, black) VALUES ($1, $2, $3)",
                [(round_no, w, b) for w, b in pairs],
            )
        lines = [f"{w} - {b}" if b else f"{w} has a bye" for w, b in pairs]
        await ctx.send(f"**Round {round_no}**\n" + "\n".join(lines))

    @tasks.loop(time=ROUND_TIME)
    async def reminder(self) -> None:
        if dt.date.today().weekday() != 2:
            return
        channel = self.bot.get_channel(self.channel_id)
        players = await self.pool.fetch("SELECT discord_id FROM players WHERE active")
        mentions = " ".join(f"<@{p['discord_id']}>" for p in players)
        await channel.send(f"Round starts in one hour. {mentions}", allowed_mentions=discord.AllowedMentions(users=True))

    @reminder.before_loop
    async def before_reminder(self) -> None:
        await self.bot.wait_until_ready()
