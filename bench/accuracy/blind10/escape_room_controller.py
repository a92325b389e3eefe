"""Escape room controller ("The Alchemist's Study"): props on GPIO, maglocks,
sound cues, and the game master's dashboard over websockets."""
import asyncio
import atexit
import contextlib
import functools
import json
import logging
import signal
import threading
import time

import aiohttp
import websockets
from gpiozero import Button, OutputDevice

log = logging.getLogger("room")

PROPS = {"bookshelf": 17, "safe_dial": 27, "organ_keys": 22, "portrait": 23}
UNLOCKS = {"bookshelf": "study_door", "organ_keys": "cellar_hatch", "portrait": "exit_door"}
MAGLOCKS = {"study_door": 5, "cellar_hatch": 6, "exit_door": 13}
SOUND_SERVER = "http://10.0.0.40:8080/cue"
GAME_SECONDS = 60 * 60


class RoomController:
    def __init__(self, loop: asyncio.AbstractEventLoop, http: aiohttp.ClientSession):
        self.loop = loop
        self.http = http
        self.stop = asyncio.Event()
        self.dashboards: set = set()
        self.solved: dict[str, float] = {}
        self.announced: set[str] = set()
        self._props_lock = threading.RLock()
        self._bg: set[asyncio.Task] = set()
        self.started = time.monotonic()
        self.buttons = {name: Button(pin, pull_up=True, bounce_time=0.2) for name, pin in PROPS.items()}
        self.maglocks = {name: OutputDevice(pin, initial_value=True) for name, pin in MAGLOCKS.items()}
        for name, button in self.buttons.items():
            button.when_pressed = functools.partial(self._on_pressed, name)

    def _on_pressed(self, name: str) -> None:
        # gpiozero runs this on its own thread
        with self._props_lock:
            self.solved.setdefault(name, time.monotonic() - self.started)
        asyncio.run_coroutine_threadsafe(self.on_prop_solved(name), self.loop)

    def broadcast(self, event: dict) -> None:
        websockets.broadcast(self.dashboards, json.dumps(event))

    async def play_cue(self, cue: str) -> None:
        async with self.http.post(SOUND_SERVER, json={"cue": cue}) as resp:
            resp.raise_for_status()

    async def on_prop_solved(self, name: str) -> None:
        with self._props_lock:  # bug: ADC102
            if name in self.announced:
                return
            self.announced.add(name)
            await self.play_cue(f"solved_{name}")
            if name in UNLOCKS:
                self.maglocks[UNLOCKS[name]].off()
        self.broadcast({"type": "solved", "prop": name, "at": round(self.solved[name])})

    async def release_maglocks(self) -> None:
        for lock in self.maglocks.values():
            lock.off()
        await self.play_cue("doors_open")

    async def dashboard(self, ws) -> None:
        self.dashboards.add(ws)
        try:
            with self._props_lock:
                state = dict(self.solved)
            await ws.send(json.dumps({"type": "state", "solved": state}))
            async for raw in ws:
                cmd = json.loads(raw)
                if cmd["type"] == "hint":
                    t = asyncio.create_task(self.play_cue(f"hint_{cmd['n']}"))
                    self._bg.add(t)
                    t.add_done_callback(self._bg.discard)
                elif cmd["type"] == "override":
                    self.maglocks[cmd["lock"]].off()
        finally:
            self.dashboards.discard(ws)

    async def clock(self) -> None:
        while not self.stop.is_set():
            remaining = GAME_SECONDS - (time.monotonic() - self.started)
            self.broadcast({"type": "clock", "remaining": max(0, int(remaining))})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=1)


async def main() -> None:
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        room = RoomController(loop, http)
        # fire safety: every maglock must open if the controller exits
        atexit.register(room.release_maglocks)  # bug: ADC202
        loop.add_signal_handler(signal.SIGTERM, room.stop.set)
        async with websockets.serve(room.dashboard, "0.0.0.0", 8765):
            clock = asyncio.create_task(room.clock())
            await room.stop.wait()
            await clock
        await room.release_maglocks()


if __name__ == "__main__":
    asyncio.run(main())
