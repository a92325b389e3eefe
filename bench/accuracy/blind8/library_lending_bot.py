"""Matrix bot for a municipal library: loans, renewals and overdue reminders.

Patrons talk to @lending:library.example in a DM room; loans live in SQLite.
"""
from __future__ import annotations

import asyncio
import logging
import os
from datetime import date, timedelta

import aiosqlite
from nio import AsyncClient, MatrixRoom, RoomMessageText

log = logging.getLogger("lendingbot")
MAX_RENEWALS = 2
REMINDER_PACE = 1.5  # the homeserver rate-limits bots to about one message a second


class LendingBot:
    def __init__(self, homeserver: str, user_id: str, db_path: str) -> None:
        self.client = AsyncClient(homeserver, user_id)
        self.db_path = db_path
        self.db: aiosqlite.Connection | None = None
        self._background: set[asyncio.Task] = set()

    async def notice(self, room_id: str, text: str) -> None:
        await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.notice", "body": text})

    async def on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id:
            return
        if event.body.startswith("!loans"):
            async with self.db.execute(
                    "SELECT title, due FROM loans WHERE patron = ? AND returned IS NULL ORDER BY due",
                    (event.sender,)) as cur:
                rows = await cur.fetchall()
            lines = [f"- {title} (due {due})" for title, due in rows] or ["No open loans."]
            await self.notice(room.room_id, "\n".join(lines))
        elif event.body.startswith("!renew "):
            barcode = event.body.split(maxsplit=1)[1].strip()
            cur = await self.db.execute(
                "UPDATE loans SET due = date(due, '+21 days'), renewals = renewals + 1 "
                "WHERE barcode = ? AND patron = ? AND renewals < ? AND returned IS NULL",
                (barcode, event.sender, MAX_RENEWALS))
            await self.db.commit()
            text = "Renewed for 3 weeks." if cur.rowcount else "Cannot renew this item."
            self.client.room_send(room.room_id, "m.room.message", {"msgtype": "m.notice", "body": text})  # bug: ADC201

    async def reminder_loop(self) -> None:
        while True:
            tomorrow = (date.today() + timedelta(days=1)).isoformat()
            async with self.db.execute(
                    "SELECT dm_room, title FROM loans WHERE due <= ? AND returned IS NULL AND reminded IS NULL",
                    (tomorrow,)) as cur:
                due = await cur.fetchall()
            for room_id, title in due:
                await self.notice(room_id, f"Reminder: '{title}' is due tomorrow. Reply !renew <barcode>.")
                await asyncio.sleep(REMINDER_PACE)
            await self.db.execute("UPDATE loans SET reminded = date('now') WHERE due <= ? AND reminded IS NULL",
                                  (tomorrow,))
            await self.db.commit()
            await asyncio.sleep(6 * 3600)

    async def sync_catalogue(self) -> None:
        await self.db.execute("DELETE FROM holds WHERE expires < date('now')")
        await self.db.commit()

    async def main(self) -> None:
        self.db = await aiosqlite.connect(self.db_path)
        try:
            await self.client.login(os.environ["MATRIX_PASSWORD"])
            self.client.add_event_callback(self.on_message, RoomMessageText)
            asyncio.create_task(self.reminder_loop())  # bug: ADC301
            task = asyncio.create_task(self.sync_catalogue())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            await self.client.sync_forever(timeout=30_000, full_state=True)
        finally:
            await self.client.close()
            await self.db.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(LendingBot("https://matrix.library.example", "@lending:library.example",
                           "/srv/lending/loans.db").main())
