"""Send one push notification to every device that opted into a campaign (FCM HTTP v1)."""
import asyncio
import logging
import os

import asyncpg
import httpx

log = logging.getLogger("push")

PROJECT = os.environ.get("FCM_PROJECT", "example-app")
FCM_URL = f"https://fcm.googleapis.com/v1/projects/{PROJECT}/messages:send"


async def send(client: httpx.AsyncClient, token: str, title: str, body: str) -> bool:
    r = await client.post(
        FCM_URL, json={"message": {"token": token, "notification": {"title": title, "body": body}}}
    )
    if r.status_code == 404:
        return False  # token unregistered
    r.raise_for_status()
    return True


async def run_campaign(pool: asyncpg.Pool, access_token: str, campaign_id: int) -> None:
    campaign = await pool.fetchrow("SELECT title, body FROM campaigns WHERE id = $1", campaign_id)
    tokens = [
        r["token"]
        for r in await pool.fetch(
            "SELECT d.token FROM devices d JOIN opt_ins o ON o.user_id = d.user_id WHERE o.campaign_id = $1",
            campaign_id,
        )
    ]
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {access_token}"}, http2=True) as client:
        tasks = [
            asyncio.create_task(send(client, t, campaign["title"], campaign["body"])) for t in tokens  # bug: ADC502 @fanout
        ]
        done, _ = await asyncio.wait(tasks)  # bug: ADC502 @fanout
    dead = [t for t, task in zip(tokens, tasks) if task.exception() is None and not task.result()]
    if dead:
        await pool.execute("DELETE FROM devices WHERE token = ANY($1::text[])", dead)
    log.info("campaign %s: %d sent, %d dead tokens", campaign_id, len(done) - len(dead), len(dead))
