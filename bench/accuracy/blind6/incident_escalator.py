"""Escalates unacknowledged incidents from a Redis stream to PagerDuty Events v2."""
import asyncio
import json
import logging
import time

import httpx
import redis.asyncio as aioredis

log = logging.getLogger("escalator")

STREAM = "incidents"
GROUP = "escalator"
PD_EVENTS = "https://events.pagerduty.com/v2/enqueue"
ONCALL_API = "http://oncall.internal/api/v1"


class Escalator:
    def __init__(self, redis: aioredis.Redis, http: httpx.AsyncClient, routing_key: str) -> None:
        self.redis = redis
        self.http = http
        self.routing_key = routing_key

    async def oncall_for(self, service: str) -> str:
        resp = await self.http.get(f"{ONCALL_API}/services/{service}/oncall")
        resp.raise_for_status()
        return resp.json()["user"]["email"]

    async def page(self, incident: dict) -> None:
        lookup = asyncio.ensure_future(self.oncall_for(incident["service"]))  # bug: ADC302
        responder = await lookup
        event = {
            "routing_key": self.routing_key,
            "event_action": "trigger",
            "dedup_key": incident["id"],
            "payload": {
                "summary": incident["title"],
                "source": incident["service"],
                "severity": incident.get("severity", "error"),
                "custom_details": {"responder": responder, "opened": incident["opened_at"]},
            },
        }
        resp = await self.http.post(PD_EVENTS, json=event)
        resp.raise_for_status()

    async def run(self, consumer: str) -> None:
        while True:
            batches = await self.redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=20, block=5000)
            for _stream, entries in batches or []:
                # entries are acked in stream order so a restart resumes exactly here
                for entry_id, fields in entries:
                    incident = json.loads(fields[b"data"])
                    if time.time() - incident["opened_at"] < incident.get("grace", 300):
                        continue
                    try:
                        await self.page(incident)
                        await self.redis.xack(STREAM, GROUP, entry_id)
                    except BaseException as exc:  # bug: ADC601
                        log.error("could not page for %s: %r", incident["id"], exc)


async def main() -> None:
    redis = aioredis.from_url("redis://redis:6379/0")
    async with httpx.AsyncClient(timeout=10) as http:
        try:
            await redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except aioredis.ResponseError:
            pass
        try:
            await Escalator(redis, http, "PD_ROUTING_KEY").run("escalator-1")
        finally:
            await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main())
