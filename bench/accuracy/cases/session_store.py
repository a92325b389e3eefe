import json
import logging

from redis.asyncio import Redis

log = logging.getLogger(__name__)


class SessionStore:
    def __init__(self, redis: Redis, prefix: str = "sess:") -> None:
        self.redis = redis
        self.prefix = prefix

    def _key(self, sid: str) -> str:
        return f"{self.prefix}{sid}"

    async def get(self, sid: str) -> dict | None:
        raw = await self.redis.get(self._key(sid))
        return json.loads(raw) if raw else None

    async def get_many(self, sids: list[str]) -> dict[str, dict | None]:
        return {sid: await self.get(sid) for sid in sids}  # bug: ADC501

    async def get_many_fast(self, sids: list[str]) -> dict[str, dict | None]:
        raws = await self.redis.mget([self._key(s) for s in sids])
        return {sid: json.loads(raw) if raw else None for sid, raw in zip(sids, raws)}

    async def set(self, sid: str, data: dict, ttl: int = 3600) -> None:
        await self.redis.set(self._key(sid), json.dumps(data), ex=ttl)

    async def scan_ids(self) -> list[str]:
        ids, cursor = [], 0
        while True:
            cursor, keys = await self.redis.scan(cursor, match=f"{self.prefix}*", count=500)
            ids.extend(k.decode().removeprefix(self.prefix) for k in keys)
            if cursor == 0:
                return ids
