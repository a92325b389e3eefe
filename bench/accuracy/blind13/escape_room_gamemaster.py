"""Game master console for the three rooms at Lockbox Escape Rooms.

Props (maglocks, drawers, lights, sound cues) sit on an MQTT bus. The game
masters' tablets connect over a websocket and see every event of their room.
Staff reset a room with the physical reset button by the door.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time

import aiomqtt
import websockets

log = logging.getLogger("gamemaster")
BROKER = "props.lockbox.lan"
ROOMS = ("pharaoh", "submarine", "lab")
GAME_SECONDS = 60 * 60
# Order matters: house lights up before the locks engage, drawers last.
RESET_SEQUENCE = [("lights", "house"), ("sound", "stop"), ("maglocks", "lock_all"), ("drawers", "close_all")]


class Props:
    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client

    async def trigger(self, room: str, prop: str, action: str) -> None:
        await self.client.publish(f"lockbox/{room}/{prop}/set", action, qos=1)


class GameMaster:
    def __init__(self, props: Props) -> None:
        self.props = props
        self.room_ready = {room: False for room in ROOMS}
        self.started_at: dict[str, float] = {}
        self.tablets: dict[str, set] = {room: set() for room in ROOMS}
        self.escaped = {room: asyncio.Event() for room in ROOMS}
        self._clocks: dict[str, asyncio.Task] = {}
        self._resets: set[asyncio.Task] = set()

    def broadcast(self, room: str, event: dict) -> None:
        websockets.broadcast(self.tablets[room], json.dumps(event))

    async def reset_room(self, room: str) -> None:
        self.room_ready[room] = False
        clock = self._clocks.pop(room, None)
        if clock is not None:
            clock.cancel()
        for prop, action in RESET_SEQUENCE:
            await self.props.trigger(room, prop, action)
            await asyncio.sleep(0.5)  # let each relay settle before the next
        self.escaped[room] = asyncio.Event()
        self.room_ready[room] = True
        self.broadcast(room, {"event": "ready"})

    async def start_game(self, room: str) -> None:
        while not self.room_ready[room]:  # bug: ADC503
            await asyncio.sleep(0.2)
        self.room_ready[room] = False
        self.started_at[room] = time.monotonic()
        await self.props.trigger(room, "lights", "game")
        await self.props.trigger(room, "sound", "intro")
        self._clocks[room] = asyncio.create_task(self._clock(room))
        self.broadcast(room, {"event": "started"})

    async def _clock(self, room: str) -> None:
        try:
            await asyncio.wait_for(self.escaped[room].wait(), GAME_SECONDS)
        except TimeoutError:
            await self.props.trigger(room, "sound", "time_up")
            await self.props.trigger(room, "maglocks", "release_exit")
            self.broadcast(room, {"event": "time_up"})

    async def on_prop_event(self, room: str, prop: str, state: str) -> None:
        self.broadcast(room, {"event": "prop", "prop": prop, "state": state})
        if prop == "reset_button" and state == "pressed":
            task = asyncio.create_task(self.reset_room(room))
            self._resets.add(task)
            task.add_done_callback(self._resets.discard)
        elif prop == "keypad" and state == "solved":
            self.props.trigger(room, "drawers", "open_3")  # bug: ADC201
            await self.props.trigger(room, "sound", "chime")
        elif prop == "exit_door" and state == "open" and room in self.started_at:
            self.escaped[room].set()
            elapsed = time.monotonic() - self.started_at.pop(room)
            self.broadcast(room, {"event": "escaped", "seconds": round(elapsed)})

    async def tablet(self, ws) -> None:
        room = ws.request.path.strip("/")
        if room not in ROOMS:
            await ws.close(code=4004, reason="unknown room")
            return
        self.tablets[room].add(ws)
        try:
            async for raw in ws:
                cmd = json.loads(raw)
                if cmd["do"] == "start":
                    await self.start_game(room)
                elif cmd["do"] == "hint":
                    await self.props.trigger(room, "screen", cmd["text"][:120])
                elif cmd["do"] == "open_exit":
                    await self.props.trigger(room, "maglocks", "release_exit")
        finally:
            self.tablets[room].discard(ws)


async def main() -> None:
    async with aiomqtt.Client(BROKER) as client:
        gm = GameMaster(Props(client))
        await client.subscribe("lockbox/+/+/state")
        async with websockets.serve(gm.tablet, "0.0.0.0", 8765):
            async for message in client.messages:
                _, room, prop, _ = message.topic.value.split("/")
                try:
                    await gm.on_prop_event(room, prop, message.payload.decode())
                except aiomqtt.MqttError:
                    log.exception("could not answer %s/%s", room, prop)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
