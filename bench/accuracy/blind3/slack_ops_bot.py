"""Slash commands for the ops Slack app (slack_bolt async)."""
from __future__ import annotations

import asyncio
import logging
import os

import aiohttp
from slack_bolt.async_app import AsyncApp

log = logging.getLogger("opsbot")

app = AsyncApp(token=os.environ["SLACK_BOT_TOKEN"], signing_secret=os.environ["SLACK_SIGNING_SECRET"])

STATUSPAGE = "https://status.internal/api/v2"
DEPLOY_API = "https://deploy.internal/api"


async def _fetch_json(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as resp:
        resp.raise_for_status()
        return await resp.json()


def post_incident_sync(title: str, severity: str) -> str:
    """Used by the cron-driven alert script as well."""

    async def _post() -> str:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{STATUSPAGE}/incidents", json={"title": title, "severity": severity}) as resp:
                resp.raise_for_status()
                return (await resp.json())["id"]

    return asyncio.run(_post())


@app.command("/incident")
async def incident(ack, command, respond):
    await ack()
    title = command.get("text") or "Untitled incident"
    incident_id = post_incident_sync(title, "major")  # bug: ADC103
    await respond(f"Incident {incident_id} opened: {title}")


@app.command("/deploy-status")
async def deploy_status(ack, command, respond, context):
    await ack()
    service = (command.get("text") or "").strip()
    session: aiohttp.ClientSession = context["http"]
    if service:
        task = asyncio.create_task(_fetch_json(session, f"{DEPLOY_API}/services/{service}"))  # bug: ADC302
        info = await task
        await respond(f"{service}: {info['version']} deployed {info['deployed_at']}")
    else:
        summary_task = asyncio.create_task(_fetch_json(session, f"{DEPLOY_API}/summary"))
        status = await _fetch_json(session, f"{STATUSPAGE}/summary")
        summary = await summary_task
        await respond(f"{summary['healthy']}/{summary['total']} services healthy; status page: {status['indicator']}")


@app.command("/oncall")
async def oncall(ack, respond, context):
    await ack()
    session: aiohttp.ClientSession = context["http"]
    teams = await _fetch_json(session, f"{DEPLOY_API}/teams")
    lines = []
    for team in teams["items"]:
        who = await _fetch_json(session, f"{DEPLOY_API}/teams/{team['id']}/oncall")  # bug: ADC501
        lines.append(f"*{team['name']}*: {who['name']} ({who['phone']})")
    await respond("\n".join(lines) or "No teams configured.")
