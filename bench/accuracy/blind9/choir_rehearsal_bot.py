"""Slack app for a community choir: rehearsal call-outs and attendance."""
from __future__ import annotations

import asyncio
import logging
import os
from datetime import date, timedelta

import aiosqlite
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

log = logging.getLogger("choir")
SECTIONS = {"soprano": "C01SOP", "alto": "C01ALT", "tenor": "C01TEN", "bass": "C01BAS"}
DB_PATH = os.environ.get("CHOIR_DB", "/var/lib/choir/attendance.db")

app = AsyncApp(token=os.environ["SLACK_BOT_TOKEN"])


class Store:
    db: aiosqlite.Connection | None = None


store = Store()


async def post_section(client, section: str, channel: str, text: str) -> None:
    try:
        await client.chat_postMessage(channel=channel, text=f"*{section.title()}s*: {text}")
    except SlackApiError as exc:
        log.warning("could not post to %s: %s", section, exc.response["error"])


@app.command("/rehearsal")
async def rehearsal(ack, command, client) -> None:
    await ack()
    when = command["text"] or "Thursday 19:30"
    async with asyncio.TaskGroup() as tg:
        for section, channel in SECTIONS.items():
            tg.create_task(post_section(client, section, channel, f"rehearsal {when}, bring your Brahms."))
    await client.chat_postEphemeral(channel=command["channel_id"], user=command["user_id"], text="Sent.")


@app.action("attend_yes")
async def attend(ack, body, client) -> None:
    await ack()
    user = body["user"]["id"]
    day = body["actions"][0]["value"]
    await store.db.execute("INSERT OR REPLACE INTO attendance (user_id, day, coming) VALUES (?, ?, 1)", (user, day))
    await store.db.commit()
    await client.chat_postEphemeral(channel=body["channel"]["id"], user=user, text=f"See you on {day}.")


async def dm_absentees(client, day: date) -> None:
    async with store.db.execute(
        "SELECT user_id FROM members WHERE user_id NOT IN (SELECT user_id FROM attendance WHERE day = ?)",
        (day.isoformat(),),
    ) as cur:
        missing = [row[0] async for row in cur]
    # one DM a second: Slack's chat.postMessage tier for DMs to many users
    for user in missing:
        await client.chat_postMessage(channel=user, text=f"Are you coming on {day:%A}? Tap below.")
        await asyncio.sleep(1.0)


async def weekly_nudges(client, stop: asyncio.Event) -> None:
    while not stop.is_set():
        next_rehearsal = date.today() + timedelta(days=(3 - date.today().weekday()) % 7)
        await dm_absentees(client, next_rehearsal)
        try:
            await asyncio.wait_for(stop.wait(), timeout=7 * 24 * 3600)
        except asyncio.TimeoutError:
            pass


async def main() -> None:
    stop = asyncio.Event()
    store.db = await aiosqlite.connect(DB_PATH)
    handler = AsyncSocketModeHandler(app, os.environ["SLACK_APP_TOKEN"])
    nudges = asyncio.create_task(weekly_nudges(app.client, stop))
    try:
        await handler.start_async()
    finally:
        stop.set()
        await nudges
        await handler.close_async()
        await store.db.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
