"""Boat booking bot for the Riverside Rowing Club Discord server."""
import asyncio
import logging
import os
from collections import defaultdict
from datetime import datetime, timedelta

import asyncpg
import discord
from discord.ext import commands, tasks

log = logging.getLogger("boatbot")

OUTING = timedelta(hours=2)
OUTINGS_CHANNEL = 1093311450077151262


class Boats(commands.Cog):
    def __init__(self, bot: commands.Bot, pool: asyncpg.Pool):
        self.bot = bot
        self.pool = pool
        self.return_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def cog_load(self) -> None:
        self.upcoming.start()

    async def cog_unload(self) -> None:
        self.upcoming.cancel()

    @commands.command(name="book")
    async def book(self, ctx: commands.Context, boat: str, when: str):
        start = datetime.fromisoformat(when)
        row = await self.pool.fetchrow(
            "select name, out_of_service, min_grade from boats where lower(name) = lower($1)", boat
        )
        if row is None:
            await ctx.send(f"There is no boat called {boat}.")
            return
        if row["out_of_service"]:
            ctx.send(f"{row['name']} is out of service: {row['out_of_service']}.")  # bug: ADC201
            return
        grade = await self.pool.fetchval("select grade from members where discord_id = $1", ctx.author.id)
        if grade is None or grade < row["min_grade"]:
            await ctx.send(f"{row['name']} needs grade {row['min_grade']} or above.")
            return
        booking_lock = asyncio.Lock()  # bug: ADC504
        async with booking_lock:
            clash = await self.pool.fetchval(
                "select 1 from bookings where boat = $1"
                " and tstzrange(starts, starts + $3) && tstzrange($2, $2 + $3)",
                row["name"], start, OUTING,
            )
            if clash:
                await ctx.send(f"{row['name']} is already out then.")
                return
            await self.pool.execute(
                "insert into bookings (boat, member_id, starts) values ($1, $2, $3)",
                row["name"], ctx.author.id, start,
            )
        await ctx.send(f"{row['name']} is yours on {start:%a %d %b, %H:%M}.")

    @commands.command(name="return")
    async def return_boat(self, ctx: commands.Context, boat: str, *, damage: str = ""):
        async with self.return_locks[boat.lower()]:
            updated = await self.pool.execute(
                "update bookings set returned_at = now() where lower(boat) = lower($1)"
                " and member_id = $2 and returned_at is null",
                boat, ctx.author.id,
            )
            if updated == "UPDATE 0":
                await ctx.send("You have no open outing in that boat.")
                return
            if damage:
                await self.pool.execute(
                    "update boats set out_of_service = $2 where lower(name) = lower($1)", boat, damage
                )
        await ctx.send("Logged back in. Thanks!" + (" Damage reported to the captain." if damage else ""))

    @tasks.loop(minutes=15)
    async def upcoming(self):
        rows = await self.pool.fetch(
            "select boat, starts, member_id from bookings where starts between now() + interval '60 min'"
            " and now() + interval '75 min' order by starts"
        )
        if rows:
            lines = [f"{r['starts']:%H:%M} {r['boat']} - <@{r['member_id']}>" for r in rows]
            await self.bot.get_channel(OUTINGS_CHANNEL).send("Going out soon:\n" + "\n".join(lines))

    @upcoming.before_loop
    async def _wait_ready(self):
        await self.bot.wait_until_ready()


async def main() -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents)
    pool = await asyncpg.create_pool(os.environ["BOATS_DSN"])
    try:
        async with bot:
            await bot.add_cog(Boats(bot, pool))
            await bot.start(os.environ["DISCORD_TOKEN"])
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
