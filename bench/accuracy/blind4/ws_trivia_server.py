"""Multiplayer trivia over websockets."""
import asyncio
import json
import logging
import random
from pathlib import Path

import websockets

log = logging.getLogger("trivia")
QUESTIONS = json.loads(Path("questions.json").read_text())  # read at import, before the loop starts


class Room:
    def __init__(self, name: str):
        self.name = name
        self.players: dict[str, websockets.WebSocketServerProtocol] = {}
        self.scores: dict[str, int] = {}
        self.answers: asyncio.Queue = asyncio.Queue()
        self.started = False

    async def broadcast(self, msg: dict) -> None:
        websockets.broadcast(self.players.values(), json.dumps(msg))

    async def game_loop(self) -> None:
        while len(self.players) < 2:  # bug: ADC503
            await asyncio.sleep(0.5)
        self.started = True
        for q in random.sample(QUESTIONS, 10):
            await self.broadcast({"type": "question", "text": q["text"], "choices": q["choices"]})
            deadline = asyncio.get_running_loop().time() + 15
            while (left := deadline - asyncio.get_running_loop().time()) > 0:
                try:
                    player, choice = await asyncio.wait_for(self.answers.get(), left)
                except TimeoutError:
                    break
                if choice == q["answer"]:
                    self.scores[player] = self.scores.get(player, 0) + 1
        await self.broadcast({"type": "final", "scores": self.scores})


ROOMS: dict[str, Room] = {}


async def handler(ws):
    hello = json.loads(await ws.recv())
    name, room_name = hello["name"], hello["room"]
    room = ROOMS.get(room_name)
    if room is None:
        room = ROOMS[room_name] = Room(room_name)
        asyncio.create_task(room.game_loop())  # bug: ADC301
    room.players[name] = ws
    try:
        async for raw in ws:
            msg = json.loads(raw)
            if msg.get("type") == "answer" and room.started:
                await room.answers.put((name, msg["choice"]))
    except asyncio.CancelledError:  # bug: ADC601
        log.info("%s left %s", name, room_name)
    finally:
        room.players.pop(name, None)


async def main():
    async with websockets.serve(handler, "0.0.0.0", 8765):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
