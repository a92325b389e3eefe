"""The pilot board: the screens in the pilot station and the launch crews' tablets."""
import json

import redis.asyncio as aioredis

CHANNEL = "pilot-board"


async def announce(redis: aioredis.Redis, event: str, pilotage: dict) -> None:
    payload = json.dumps({"event": event, **pilotage}, default=str)
    await redis.publish(CHANNEL, payload)
    await redis.hset("pilot-board:current", str(pilotage["id"]), payload)


async def withdraw(redis: aioredis.Redis, pilotage_id: int) -> None:
    await redis.hdel("pilot-board:current", str(pilotage_id))
    await redis.publish(CHANNEL, json.dumps({"event": "withdrawn", "id": pilotage_id}))
