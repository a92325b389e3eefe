import asyncio
import json
import logging

import websockets

from chat.rooms import RoomRegistry

log = logging.getLogger(__name__)
registry = RoomRegistry()


async def handler(ws):
    hello = json.loads(await ws.recv())
    room, nick = hello["room"], hello["nick"]
    await registry.join(room, ws, nick)
    try:
        async for raw in ws:
            msg = json.loads(raw)
            await registry.say(room, nick, msg["text"])
    finally:
        await registry.leave(room, ws, nick)


async def main(host="0.0.0.0", port=8765):
    async with websockets.serve(handler, host, port):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
