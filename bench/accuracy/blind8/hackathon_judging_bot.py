"""Slack bot for judging a weekend hackathon (Bolt for Python, Socket Mode).

Judges type `/score <team> <innovation> <execution> <demo>`; `/leaderboard`
posts the ranking and pushes it to the organisers' Google Sheet through an
Apps Script web hook.
"""
from __future__ import annotations

import asyncio
import atexit
import csv
import json
import os
from collections import defaultdict
from pathlib import Path

import aiofiles
from requests import post as post_form
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

SHEET_HOOK = os.environ["SHEET_HOOK_URL"]
STATE_FILE = Path("/srv/hackbot/scores.json")
with open("/srv/hackbot/judges.csv", newline="") as fh:
    JUDGES = {row["slack_id"]: row["name"] for row in csv.DictReader(fh)}

app = AsyncApp(token=os.environ["SLACK_BOT_TOKEN"])
scores: defaultdict[str, dict[str, list[int]]] = defaultdict(dict)
score_lock = asyncio.Lock()


def ranking() -> list[tuple[str, float]]:
    totals = {team: sum(map(sum, by_judge.values())) / len(by_judge) for team, by_judge in scores.items()}
    return sorted(totals.items(), key=lambda kv: kv[1], reverse=True)


@app.command("/score")
async def score(ack, command, respond):
    await ack()
    if command["user_id"] not in JUDGES:
        await respond("Only judges can score.")
        return
    team, *marks = command["text"].split()
    if len(marks) != 3 or not all(m.isdigit() and 0 <= int(m) <= 10 for m in marks):
        await respond("Usage: /score <team> <innovation 0-10> <execution 0-10> <demo 0-10>")
        return
    async with score_lock:
        scores[team][command["user_id"]] = [int(m) for m in marks]
        async with aiofiles.open(STATE_FILE, "w") as out:
            await out.write(json.dumps(scores))
    await respond(f"Recorded {JUDGES[command['user_id']]}'s score for {team}.")


@app.command("/leaderboard")
async def leaderboard(ack, command, client):
    await ack()
    rows = ranking()
    text = "\n".join(f"{i}. {team}: {avg:.1f}" for i, (team, avg) in enumerate(rows, 1)) or "No scores yet."
    await client.chat_postMessage(channel=command["channel_id"], text=f"*Leaderboard*\n{text}")
    post_form(SHEET_HOOK, json={"rows": rows}, timeout=15)  # bug: ADC101


async def flush_scores() -> None:
    async with aiofiles.open(STATE_FILE, "w") as out:
        await out.write(json.dumps(scores))


atexit.register(flush_scores)  # bug: ADC202


async def main() -> None:
    handler = AsyncSocketModeHandler(app, os.environ["SLACK_APP_TOKEN"])
    await handler.start_async()


if __name__ == "__main__":
    if STATE_FILE.exists():
        scores.update(json.loads(STATE_FILE.read_text()))
    asyncio.run(main())
