"""Zulip bot that acknowledges and silences Alertmanager alerts from a stream."""
import asyncio
import logging
from datetime import datetime, timedelta, timezone

import aiohttp

log = logging.getLogger("zulip_alert_bot")

ZULIP_SITE = "https://chat.example.org"
ALERTMANAGER = "http://alertmanager:9093/api/v2"


class AlertBot:
    def __init__(self, email: str, api_key: str) -> None:
        self.auth = aiohttp.BasicAuth(email, api_key)
        self.session: aiohttp.ClientSession | None = None
        self.queue_id: str | None = None
        self.last_event_id = -1

    async def register(self) -> None:
        data = {"event_types": '["message"]', "narrow": '[["stream", "alerts"]]'}
        async with self.session.post(f"{ZULIP_SITE}/api/v1/register", data=data) as resp:
            body = await resp.json()
        self.queue_id = body["queue_id"]
        self.last_event_id = body["last_event_id"]

    async def reply(self, msg: dict, text: str) -> None:
        data = {"type": "stream", "to": msg["display_recipient"], "topic": msg["subject"], "content": text}
        async with self.session.post(f"{ZULIP_SITE}/api/v1/messages", data=data) as resp:
            resp.raise_for_status()

    async def silence(self, matcher: str, hours: int, author: str) -> str:
        name, _, value = matcher.partition("=")
        body = {
            "matchers": [{"name": name, "value": value, "isRegex": False}],
            "startsAt": datetime.now(timezone.utc).isoformat(),
            "endsAt": (datetime.now(timezone.utc) + timedelta(hours=hours)).isoformat(),
            "createdBy": author,
            "comment": f"silenced from Zulip for {hours}h",
        }
        async with self.session.post(f"{ALERTMANAGER}/silences", json=body) as resp:
            return (await resp.json())["silenceID"]

    async def handle(self, msg: dict) -> None:
        words = msg["content"].split()
        if words[:1] != ["!silence"] or len(words) < 2:
            return
        hours = int(words[2]) if len(words) > 2 else 2
        try:
            silence_id = await self.silence(words[1], hours, msg["sender_email"])
        except aiohttp.ClientError as exc:
            await self.reply(msg, f"could not silence: {exc}")
            return
        self.reply(msg, f"silenced `{words[1]}` for {hours}h (id {silence_id})")  # bug: ADC201

    async def run(self) -> None:
        async with aiohttp.ClientSession(auth=self.auth) as self.session:
            await self.register()
            while True:
                params = {"queue_id": self.queue_id, "last_event_id": self.last_event_id}
                try:
                    async with self.session.get(f"{ZULIP_SITE}/api/v1/events", params=params) as resp:
                        body = await resp.json()
                    for event in body.get("events", []):
                        self.last_event_id = max(self.last_event_id, event["id"])
                        if event["type"] == "message":
                            await self.handle(event["message"])
                except:  # bug: ADC601
                    log.exception("event poll failed, re-registering")
                    await asyncio.sleep(5)
                    await self.register()


if __name__ == "__main__":
    asyncio.run(AlertBot("alert-bot@chat.example.org", "KEY").run())
