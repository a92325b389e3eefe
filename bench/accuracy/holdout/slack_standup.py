import asyncio
import os

import aiohttp
from slack_bolt.async_app import AsyncApp

app = AsyncApp(token=os.environ["SLACK_BOT_TOKEN"], signing_secret=os.environ["SLACK_SIGNING_SECRET"])

GITLAB = "https://gitlab.example.com/api/v4"
GITLAB_TOKEN = os.environ["GITLAB_TOKEN"]
TEAM = {"U024BE7LH": "alice", "U0G9QF9C6": "bob", "U1A2B3C4D": "chen"}


async def open_mrs(session: aiohttp.ClientSession, username: str) -> list[dict]:
    async with session.get(
        f"{GITLAB}/merge_requests", params={"author_username": username, "state": "opened", "scope": "all"}
    ) as r:
        r.raise_for_status()
        return await r.json()


@app.command("/standup")
async def standup(ack, respond, command):
    await ack()
    lines = []
    for slack_id, username in TEAM.items():
        async with aiohttp.ClientSession(headers={"PRIVATE-TOKEN": GITLAB_TOKEN}) as session:  # bug: ADC402
            mrs = await open_mrs(session, username)  # bug: ADC501
        lines.append(f"<@{slack_id}>: " + (", ".join(m["title"] for m in mrs) or "no open MRs"))
    await respond("\n".join(lines))


@app.command("/pipeline")
async def pipeline(ack, respond, command):
    await ack()
    project = command["text"].strip() or "backend"
    session = aiohttp.ClientSession(headers={"PRIVATE-TOKEN": GITLAB_TOKEN})  # bug: ADC401
    async with session.get(f"{GITLAB}/projects/{project.replace('/', '%2F')}/pipelines/latest") as r:
        if r.status == 404:
            await respond(f"no pipeline for {project}")
            return
        p = await r.json()
    await respond(f"{project}: {p['status']} ({p['web_url']})")


@app.event("app_mention")
async def mentioned(event, say):
    await say(f"Hi <@{event['user']}>, try /standup or /pipeline <project>.")


if __name__ == "__main__":
    asyncio.run(app.async_start(port=int(os.environ.get("PORT", "3000"))))
