import json

import redis.asyncio as aioredis


class HistoryStore:
    def __init__(self, url: str = "redis://localhost:6379/2", keep: int = 200) -> None:
        self._redis = aioredis.from_url(url)
        self._keep = keep

    async def append(self, message: dict) -> None:
        key = f"history:{message.get('room', 'lobby')}"
        await self._redis.lpush(key, json.dumps(message))
        await self._redis.ltrim(key, 0, self._keep - 1)

    async def close(self) -> None:
        await self._redis.aclose()


history_store = HistoryStore()
