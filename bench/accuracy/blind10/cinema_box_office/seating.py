"""Seat holds. One box-office process per site, so holds are guarded in-process."""
import asyncio
import json
import time
from collections import defaultdict

HOLD_SECONDS = 420


class SeatMap:
    def __init__(self, redis):
        self.redis = redis
        self._screening_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def _key(self, screening_id: int) -> str:
        return f"holds:{screening_id}"

    async def hold_seats(self, screening_id: int, seats: list[str], basket_id: str) -> bool:
        lock = asyncio.Lock()  # bug: ADC504
        async with lock:
            current = await self.redis.hmget(self._key(screening_id), *seats)
            now = time.time()
            for raw in current:
                if raw and json.loads(raw)["until"] > now:
                    return False
            hold = json.dumps({"basket": basket_id, "until": now + HOLD_SECONDS})
            await self.redis.hset(self._key(screening_id), mapping={seat: hold for seat in seats})
            return True

    async def release_basket(self, screening_id: int, basket_id: str) -> int:
        async with self._screening_locks[screening_id]:
            holds = await self.redis.hgetall(self._key(screening_id))
            mine = [seat for seat, raw in holds.items() if json.loads(raw)["basket"] == basket_id]
            if mine:
                await self.redis.hdel(self._key(screening_id), *mine)
            return len(mine)
