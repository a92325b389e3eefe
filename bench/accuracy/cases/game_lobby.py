import asyncio
import json
import logging
import signal

import websockets

log = logging.getLogger("lobby")


class Lobby:
    def __init__(self, seats: int = 4) -> None:
        self.seats = seats
        self.players: dict[str, websockets.WebSocketServerProtocol] = {}
        self.full = asyncio.Event()
        self.stop = asyncio.Event()

    async def join(self, ws) -> None:
        name = json.loads(await ws.recv())["name"]
        self.players[name] = ws
        websockets.broadcast(self.players.values(), json.dumps({"joined": name}))
        if len(self.players) >= self.seats:
            self.full.set()
        try:
            await ws.wait_closed()
        finally:
            self.players.pop(name, None)

    async def start_when_full(self) -> None:
        await self.full.wait()
        async with asyncio.TaskGroup() as tg:
            for name, ws in list(self.players.items())[: self.seats]:
                tg.create_task(ws.send(json.dumps({"start": True, "you": name})))


async def main() -> None:
    lobby = Lobby()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lobby.stop.set)
    async with websockets.serve(lobby.join, "0.0.0.0", 8765):
        starter = asyncio.create_task(lobby.start_when_full())
        await lobby.stop.wait()
        starter.cancel()
        try:
            await starter
        except asyncio.CancelledError:
            pass


if __name__ == "__main__":
    asyncio.run(main())
