"""Presence server: tracks who is online and pings clients."""

import asyncio
import json
import logging

import websockets

log = logging.getLogger("presence")

PING_EVERY = 20


class PresenceServer:
    def __init__(self):
        self.online = {}
        self._background = set()

    async def heartbeat(self, user, ws):
        while True:
            await asyncio.sleep(PING_EVERY)
            try:
                await ws.send(json.dumps({"type": "ping"}))
            except websockets.ConnectionClosed:
                self.online.pop(user, None)
                return

    async def announce(self, user, status):
        payload = json.dumps({"type": "presence", "user": user, "status": status})
        websockets.broadcast(list(self.online.values()), payload)

    def _spawn(self, coro):
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def handler(self, ws):
        user = (await ws.recv()).strip()
        self.online[user] = ws
        asyncio.create_task(self.heartbeat(user, ws))  # bug: ADC301
        self._spawn(self.announce(user, "online"))
        try:
            async for _ in ws:
                pass
        finally:
            self.online.pop(user, None)
            self._spawn(self.announce(user, "offline"))


async def main():
    server = PresenceServer()
    async with websockets.serve(server.handler, "0.0.0.0", 9000):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
