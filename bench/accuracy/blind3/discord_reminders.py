from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re

import asyncpg
import discord
from discord import app_commands

log = logging.getLogger("reminders")

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> dt.timedelta | None:
    m = _DURATION.match(text.strip())
    if not m or not any(m.groups()):
        return None
    days, hours, minutes = (int(g or 0) for g in m.groups())
    return dt.timedelta(days=days, hours=hours, minutes=minutes)


class ReminderService:
    def __init__(self, client: discord.Client, pool: asyncpg.Pool) -> None:
        self.client = client
        self.pool = pool
        self._handles: dict[int, asyncio.TimerHandle] = {}

    async def _fire(self, reminder_id: int, channel_id: int, user_id: int, text: str) -> None:
        self._handles.pop(reminder_id, None)
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        await channel.send(f"<@{user_id}> reminder: {text}")
        await self.pool.execute("UPDATE reminders SET sent = true WHERE id = $1", reminder_id)

    def _schedule(self, reminder_id: int, due: dt.datetime, channel_id: int, user_id: int, text: str) -> None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, (due - dt.datetime.now(dt.timezone.utc)).total_seconds())
        self._handles[reminder_id] = loop.call_later(  # bug: ADC202
            delay, self._fire, reminder_id, channel_id, user_id, text
        )

    async def restore(self) -> int:
        rows = await self.pool.fetch(
            "SELECT id, due, channel_id, user_id, text FROM reminders WHERE NOT sent ORDER BY due"
        )
        for row in rows:
            self._schedule(row["id"], row["due"], row["channel_id"], row["user_id"], row["text"])
        return len(rows)

    async def create(self, interaction: discord.Interaction, after: dt.timedelta, text: str) -> int:
        due = dt.datetime.now(dt.timezone.utc) + after
        reminder_id = await self.pool.fetchval(
            "INSERT INTO reminders (due, channel_id, user_id, text) VALUES ($1, $2, $3, $4) RETURNING id",
            due,
            interaction.channel_id,
            interaction.user.id,
            text,
        )
        self._schedule(reminder_id, due, interaction.channel_id, interaction.user.id, text)
        return reminder_id

    async def cancel(self, reminder_id: int, user_id: int) -> bool:
        status = await self.pool.execute(
            "DELETE FROM reminders WHERE id = $1 AND user_id = $2 AND NOT sent", reminder_id, user_id
        )
        handle = self._handles.pop(reminder_id, None)
        if handle is not None:
            handle.cancel()
        return status.endswith(" 1")


def register_commands(tree: app_commands.CommandTree, service: ReminderService) -> None:
    @tree.command(name="remind", description="Remind me later, e.g. /remind 2h30m stretch")
    async def remind(interaction: discord.Interaction, when: str, text: str) -> None:
        after = parse_duration(when)
        if after is None:
            await interaction.response.send_message("Use a duration like `1d`, `2h30m` or `45m`.", ephemeral=True)
            return
        reminder_id = await service.create(interaction, after, text)
        await interaction.response.send_message(f"Okay, reminder #{reminder_id} set.", ephemeral=True)

    @tree.command(name="forget", description="Cancel a reminder")
    async def forget(interaction: discord.Interaction, reminder_id: int) -> None:
        if not service.cancel(reminder_id, interaction.user.id):  # bug: ADC201
            await interaction.response.send_message("No such pending reminder.", ephemeral=True)
            return
        await interaction.response.send_message(f"Reminder #{reminder_id} cancelled.", ephemeral=True)
