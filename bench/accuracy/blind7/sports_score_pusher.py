"""Push live football scores to the mobile app through Firebase Cloud Messaging.

Listens to the data provider's websocket feed and sends a notification per
goal; at full time it sends a summary to every follower of either club.
"""
import asyncio
import json
import logging
import os

import firebase_admin
import redis.asyncio as aioredis
import websockets
from firebase_admin import credentials, messaging

log = logging.getLogger("scores")

FEED_URL = "wss://feed.sportsdata.example/v3/live?token=" + os.environ.get("FEED_TOKEN", "")


def send_summary(tokens: list[str], body: str) -> list[str]:
    failed: list[str] = []
    for start in range(0, len(tokens), 500):
        chunk = tokens[start:start + 500]
        batch = messaging.MulticastMessage(
            tokens=chunk, notification=messaging.Notification(title="Full time", body=body)
        )
        resp = messaging.send_each_for_multicast(batch)
        failed.extend(t for t, r in zip(chunk, resp.responses) if not r.success)
    return failed


class ScorePusher:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def on_goal(self, event: dict) -> None:
        match_id = event["match_id"]
        score = f"{event['home']} {event['home_goals']}-{event['away_goals']} {event['away']}"
        await self.redis.hset(f"match:{match_id}", mapping={"score": score, "minute": event["minute"]})
        msg = messaging.Message(
            topic=f"match-{match_id}",
            notification=messaging.Notification(title=f"GOAL {event['minute']}'", body=score),
        )
        messaging.send(msg)  # bug: ADC101

    async def on_full_time(self, event: dict) -> None:
        home, away = await asyncio.gather(
            self.redis.smembers(f"club:{event['home_id']}:tokens"),
            self.redis.smembers(f"club:{event['away_id']}:tokens"),
        )
        tokens = sorted({t.decode() for t in home | away})
        body = f"FT: {event['home']} {event['home_goals']}-{event['away_goals']} {event['away']}"
        failed = await asyncio.to_thread(send_summary, tokens, body)
        if failed:
            await self.redis.sadd("fcm:failed", *failed)

    async def dispatch(self, event: dict) -> None:
        if event["type"] == "goal":
            await self.on_goal(event)
        elif event["type"] == "full_time":
            await self.on_full_time(event)

    async def listen(self) -> None:
        async with websockets.connect(FEED_URL, ping_interval=20) as ws:
            async for raw in ws:
                try:
                    await self.dispatch(json.loads(raw))
                except:  # bug: ADC601
                    log.exception("could not handle %r", raw[:200])

    async def run(self) -> None:
        delay = 1
        while True:
            try:
                await self.listen()
                delay = 1
            except (websockets.ConnectionClosed, OSError) as exc:
                log.warning("feed dropped: %s; reconnecting in %ss", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60)


async def main() -> None:
    redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    try:
        await ScorePusher(redis).run()
    finally:
        await redis.aclose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    firebase_admin.initialize_app(credentials.Certificate(os.environ["FIREBASE_CREDENTIALS"]))
    asyncio.run(main())
