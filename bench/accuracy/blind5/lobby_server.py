"""Party lobby for a co-op game: players join, ready up, and the host starts the round."""
import asyncio
import json
import logging

import websockets

log = logging.getLogger("lobby")

MAX_PLAYERS = 4
TICK = 1 / 20


class Lobby:
    def __init__(self, code: str) -> None:
        self.code = code
        self.players: dict[str, object] = {}
        self.ready: set[str] = set()
        self.changed = asyncio.Condition()
        self.state = {"phase": "waiting", "positions": {}}
        self.round: asyncio.Task | None = None

    async def join(self, name: str, ws) -> None:
        async with self.changed:
            if len(self.players) >= MAX_PLAYERS:
                raise ValueError("lobby full")
            self.players[name] = ws
            self.changed.notify_all()

    async def set_ready(self, name: str) -> None:
        async with self.changed:
            self.ready.add(name)
            self.changed.notify_all()

    async def wait_all_ready(self, timeout: float) -> None:
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: len(self.players) >= 2 and self.ready == set(self.players)),
                timeout,
            )

    async def broadcast(self, message: dict) -> None:
        data = json.dumps(message)
        async with asyncio.TaskGroup() as tg:
            for ws in list(self.players.values()):
                tg.create_task(ws.send(data))

    async def run_round(self, seconds: float) -> None:
        self.state["phase"] = "playing"
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            await self.broadcast({"type": "state", **self.state})
            await asyncio.sleep(TICK)
        self.state["phase"] = "finished"
        await self.broadcast({"type": "round_over"})


lobbies: dict[str, Lobby] = {}


async def handler(ws) -> None:
    hello = json.loads(await ws.recv())
    lobby = lobbies.setdefault(hello["lobby"], Lobby(hello["lobby"]))
    await lobby.join(hello["name"], ws)
    async for raw in ws:
        msg = json.loads(raw)
        if msg["type"] == "ready":
            await lobby.set_ready(hello["name"])
        elif msg["type"] == "move":
            lobby.state["positions"][hello["name"]] = msg["pos"]
        elif msg["type"] == "start" and hello.get("host"):
            await lobby.wait_all_ready(timeout=60)
            lobby.round = asyncio.create_task(lobby.run_round(seconds=300))


async def main() -> None:
    async with websockets.serve(handler, "0.0.0.0", 9000):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
