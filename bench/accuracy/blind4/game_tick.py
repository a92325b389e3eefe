"""Authoritative tick loop for a small websocket arena game."""
import asyncio
import json
import logging
import time

import websockets

log = logging.getLogger("arena")
TICK = 1 / 20


class Arena:
    def __init__(self, min_players: int = 2):
        self.min_players = min_players
        self.players: dict[str, object] = {}
        self.inputs: dict[str, dict] = {}
        self.state: dict[str, dict] = {}
        self.enough_players = asyncio.Condition()
        self.over = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()

    async def join(self, name: str, ws) -> None:
        async with self.enough_players:
            self.players[name] = ws
            self.state[name] = {"x": 0, "y": 0}
            self.enough_players.notify_all()

    async def wait_for_players(self) -> None:
        async with self.enough_players:
            await self.enough_players.wait_for(lambda: len(self.players) >= self.min_players)

    def step(self) -> None:
        for name, inp in self.inputs.items():
            pos = self.state.get(name)
            if pos is not None:
                pos["x"] += inp.get("dx", 0)
                pos["y"] += inp.get("dy", 0)
        self.inputs.clear()

    async def tick_loop(self) -> None:
        await self.wait_for_players()
        next_at = time.monotonic()
        while not self.over.is_set():
            self.step()
            websockets.broadcast(self.players.values(), json.dumps({"t": "state", "s": self.state}))
            next_at += TICK
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    def start(self) -> None:
        t = asyncio.get_running_loop().create_task(self.tick_loop())
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)


arena = Arena()


async def handler(ws):
    name = json.loads(await ws.recv())["name"]
    await arena.join(name, ws)
    try:
        async for raw in ws:
            arena.inputs[name] = json.loads(raw)
    finally:
        arena.players.pop(name, None)
        arena.state.pop(name, None)


async def main():
    arena.start()
    async with websockets.serve(handler, "0.0.0.0", 9000):
        await arena.over.wait()


if __name__ == "__main__":
    asyncio.run(main())
