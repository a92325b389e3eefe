import asyncio
import logging
import os
from datetime import date, timedelta

import asyncpg
import httpx

log = logging.getLogger("digest")

POSTMARK_TOKEN = os.environ["POSTMARK_TOKEN"]
ACTIVITY_API = "http://activity.internal/v1"


async def send_digest(to: str, html: str) -> str:
    async with httpx.AsyncClient(  # bug: ADC402
        base_url="https://api.postmarkapp.com",
        headers={"X-Postmark-Server-Token": POSTMARK_TOKEN},
    ) as client:
        r = await client.post(
            "/email",
            json={"From": "digest@example.com", "To": to, "Subject": "Your week", "HtmlBody": html},
        )
        r.raise_for_status()
        return r.json()["MessageID"]


def render(name: str, activity: dict) -> str:
    items = "".join(f"<li>{a['title']} ({a['count']})</li>" for a in activity["top"])
    return f"<p>Hi {name},</p><p>Here is your week:</p><ul>{items}</ul>"


async def main() -> None:
    since = date.today() - timedelta(days=7)
    async with asyncpg.create_pool(os.environ["APP_DSN"]) as pool:
        users = await pool.fetch("SELECT id, name, email FROM users WHERE digest_opt_in")
    async with httpx.AsyncClient(base_url=ACTIVITY_API, timeout=10) as api:
        activity = {}
        for u in users:
            r = await api.get(f"/users/{u['id']}/summary", params={"since": since.isoformat()})  # bug: ADC501
            activity[u["id"]] = r.json()
    for u in users:
        # Postmark allows 10 requests a second per server token; one at a time stays well under it
        msg_id = await send_digest(u["email"], render(u["name"], activity[u["id"]]))
        log.info("sent %s to user %s", msg_id, u["id"])


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
