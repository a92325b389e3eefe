"""Ranked matchmaking over websockets: players queue, get paired by rating, play."""
import asyncio
import json
import logging

import websockets

log = logging.getLogger("matchmaker")

RATING_WINDOW = 150


class Matchmaker:
    def __init__(self, ratings):
        self.ratings = ratings  # async store: get(player) / put(player, value)
        self.waiting: dict[str, tuple[object, int]] = {}
        self.matches: set[asyncio.Task] = set()
        self._queue_lock = asyncio.Lock()

    async def enqueue(self, player: str, ws) -> None:
        rating = await self.ratings.get(player)
        async with self._queue_lock:
            for other, (other_ws, other_rating) in list(self.waiting.items()):
                if abs(other_rating - rating) <= RATING_WINDOW:
                    del self.waiting[other]
                    task = asyncio.create_task(self.run_match(player, ws, other, other_ws))
                    self.matches.add(task)
                    task.add_done_callback(self.matches.discard)
                    return
            self.waiting[player] = (ws, rating)

    async def run_match(self, a: str, ws_a, b: str, ws_b) -> None:
        hello = json.dumps({"type": "match_found", "players": [a, b]})
        await asyncio.gather(ws_a.send(hello), ws_b.send(hello))
        result = json.loads(await ws_a.recv())
        winner, loser = (a, b) if result["winner"] == a else (b, a)
        asyncio.create_task(self.announce(winner, loser))  # bug: ADC301
        await self.record_result(winner, loser)

    async def record_result(self, winner: str, loser: str) -> None:
        lock = asyncio.Lock()  # bug: ADC504
        async with lock:
            w = await self.ratings.get(winner)
            l = await self.ratings.get(loser)
            expected = 1 / (1 + 10 ** ((l - w) / 400))
            delta = round(32 * (1 - expected))
            await self.ratings.put(winner, w + delta)
            await self.ratings.put(loser, l - delta)

    async def announce(self, winner: str, loser: str) -> None:
        log.info("match over: %s beat %s", winner, loser)

    async def shutdown(self) -> None:
        for task in list(self.matches):
            task.cancel()
        await asyncio.gather(*self.matches, return_exceptions=True)


async def serve(store, host="0.0.0.0", port=8765):
    mm = Matchmaker(store)

    async def handler(ws):
        hello = json.loads(await ws.recv())
        await mm.enqueue(hello["player"], ws)
        await ws.wait_closed()

    async with websockets.serve(handler, host, port):
        try:
            await asyncio.Future()
        finally:
            await mm.shutdown()
