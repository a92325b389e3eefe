"""Collectible card game for the Pixel Tavern Discord: daily packs, trades, collection images."""
import asyncio
import io
import os
import random

import discord
from discord import app_commands
from discord.ext import commands
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from cards.models import Card, Claim, Owned

ART = "/srv/cards/art"
PACK_SIZE = 5


def pack_image(art_files: list[str]) -> bytes:
    tiles = [Image.open(f"{ART}/{name}").convert("RGBA").resize((180, 252)) for name in art_files]
    sheet = Image.new("RGBA", (190 * len(tiles) + 10, 272), (24, 20, 37, 255))
    for i, tile in enumerate(tiles):
        sheet.alpha_composite(tile, (10 + 190 * i, 10))
    out = io.BytesIO()
    sheet.save(out, "PNG")
    return out.getvalue()


class Cards(commands.Cog):
    def __init__(self, bot: commands.Bot, sessions: async_sessionmaker[AsyncSession]):
        self.bot = bot
        self.sessions = sessions
        self.render_slots = asyncio.Semaphore(3)
        self.reveals: set[asyncio.Task] = set()

    async def cog_unload(self) -> None:
        for task in self.reveals:
            task.cancel()
        await asyncio.gather(*self.reveals, return_exceptions=True)

    async def reveal(self, channel: discord.abc.Messageable, user: discord.User, cards: list[Card]) -> None:
        async with self.render_slots:
            png = await asyncio.to_thread(pack_image, [c.art for c in cards])
        names = ", ".join(f"**{c.name}** ({c.rarity})" for c in cards)
        await channel.send(f"{user.mention} opened: {names}", file=discord.File(io.BytesIO(png), "pack.png"))

    @app_commands.command(name="daily", description="Open your free daily pack")
    async def daily(self, interaction: discord.Interaction):
        async with self.sessions() as session, session.begin():
            claimed = await session.scalar(
                select(func.count()).select_from(Claim)
                .where(Claim.user_id == interaction.user.id, Claim.day == func.current_date())
            )
            if claimed:
                await interaction.response.send_message("You already opened today's pack.", ephemeral=True)
                return
            pool = (await session.scalars(select(Card).where(Card.in_packs.is_(True)))).all()
            cards = random.choices(pool, weights=[c.weight for c in pool], k=PACK_SIZE)
            session.add(Claim(user_id=interaction.user.id))
            for card in cards:
                session.add(Owned(user_id=interaction.user.id, card_id=card.id))
        await interaction.response.send_message("Opening your pack...")
        task = asyncio.create_task(self.reveal(interaction.channel, interaction.user, cards))
        self.reveals.add(task)
        task.add_done_callback(self.reveals.discard)

    @app_commands.command(name="trade", description="Give one of your cards to another player")
    async def trade(self, interaction: discord.Interaction, card_name: str, to: discord.Member):
        async with self.sessions() as session, session.begin():
            owned = await session.scalar(
                select(Owned).join(Card).where(Owned.user_id == interaction.user.id, Card.name == card_name)
                .limit(1).with_for_update()
            )
            if owned is None:
                await interaction.response.send_message(f"You don't have {card_name}.", ephemeral=True)
                return
            await session.delete(owned)
            await session.flush()
            session.add(Owned(user_id=to.id, card_id=owned.card_id))
        await interaction.response.send_message(f"{interaction.user.mention} gave **{card_name}** to {to.mention}.")


async def main() -> None:
    engine = create_async_engine(os.environ["CARDS_DB"], pool_size=5)
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())
    try:
        async with bot:
            await bot.add_cog(Cards(bot, async_sessionmaker(engine, expire_on_commit=False)))
            await bot.start(os.environ["DISCORD_TOKEN"])
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
