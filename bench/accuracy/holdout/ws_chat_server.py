"""Small chat server: rooms, history on join, presence."""
import asyncio
import json
import logging
from collections import defaultdict, deque

import websockets
from websockets.asyncio.server import ServerConnection, broadcast, serve

log = logging.getLogger("chat")

rooms: dict[str, set[ServerConnection]] = defaultdict(set)
history: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=50))


async def replay_history(ws: ServerConnection, room: str) -> None:
    # messages must arrive in the order they were said
    for msg in list(history[room]):
        await ws.send(msg)


async def handler(ws: ServerConnection) -> None:
    try:
        hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    except (asyncio.TimeoutError, json.JSONDecodeError):
        await ws.close(code=1008, reason="say hello first")
        return
    room, nick = hello["room"], hello["nick"]
    await replay_history(ws, room)
    rooms[room].add(ws)
    broadcast(rooms[room], json.dumps({"type": "join", "nick": nick}))
    try:
        async for raw in ws:
            msg = json.dumps({"type": "msg", "nick": nick, "text": str(raw)[:2000]})
            history[room].append(msg)
            broadcast(rooms[room], msg)
    except websockets.ConnectionClosedError:
        log.info("%s dropped", nick)
    finally:
        rooms[room].discard(ws)
        broadcast(rooms[room], json.dumps({"type": "leave", "nick": nick}))


async def main() -> None:
    stop = asyncio.get_running_loop().create_future()
    async with serve(handler, "0.0.0.0", 8765, ping_interval=20) as server:
        try:
            await stop
        except asyncio.CancelledError:
            log.info("closing %d rooms", len(rooms))
            server.close()
            await server.wait_closed()
            raise


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
