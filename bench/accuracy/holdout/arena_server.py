import asyncio
import json
import logging
import random
import secrets
from dataclasses import dataclass, field

import websockets

log = logging.getLogger("arena")

TICK = 1 / 20
ROOM_SIZE = 4


@dataclass
class Room:
    id: str
    players: dict = field(default_factory=dict)  # websocket -> player name
    positions: dict = field(default_factory=dict)  # player name -> [x, y]
    started: bool = False

    @property
    def full(self) -> bool:
        return len(self.players) >= ROOM_SIZE


rooms: dict[str, Room] = {}
lobby_tasks: dict[str, asyncio.Task] = {}


def find_or_create_room() -> Room:
    for room in rooms.values():
        if not room.started and not room.full:
            return room
    room = Room(secrets.token_hex(4))
    rooms[room.id] = room
    return room


def apply_input(room: Room, name: str, msg: dict) -> None:
    x, y = room.positions.setdefault(name, [random.randint(0, 99), random.randint(0, 99)])
    dx, dy = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}.get(msg["move"], (0, 0))
    room.positions[name] = [max(0, min(99, x + dx)), max(0, min(99, y + dy))]


async def game_loop(room: Room) -> None:
    while room.players:
        websockets.broadcast(room.players.keys(), json.dumps({"positions": room.positions}))
        await asyncio.sleep(TICK)
    rooms.pop(room.id, None)


async def wait_for_players(room: Room) -> None:
    while not room.full:  # bug: ADC503
        await asyncio.sleep(0.25)
    room.started = True
    websockets.broadcast(room.players.keys(), json.dumps({"event": "start"}))
    asyncio.ensure_future(game_loop(room))  # bug: ADC301


async def handler(ws) -> None:
    hello = json.loads(await ws.recv())
    room = find_or_create_room()
    room.players[ws] = hello["name"]
    if room.id not in lobby_tasks:
        lobby_tasks[room.id] = asyncio.create_task(wait_for_players(room))
    try:
        async for raw in ws:
            if room.started:
                apply_input(room, room.players[ws], json.loads(raw))
    finally:
        name = room.players.pop(ws)
        room.positions.pop(name, None)


async def main() -> None:
    async with websockets.serve(handler, "0.0.0.0", 8765):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
