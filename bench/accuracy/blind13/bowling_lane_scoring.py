"""Lane monitors and league results for Strikeline Bowl (16 lanes).

The pinsetters share one RS-485 bus. A reader thread collects pin falls
into the scoreboard; the asyncio side pushes frames to the overhead lane
monitors and files league games with the county association.
"""
import asyncio
import json
import logging
import os
import threading

import aiohttp
import serial
import websockets

log = logging.getLogger("strikeline")
LEAGUE_API = "https://county-tenpin.example/api/games"


class PinsetterBus:
    def __init__(self, device: str) -> None:
        self.port = serial.Serial(device, 19200, timeout=1.5)
        self.io = threading.Lock()

    def _ask(self, text: str) -> str:
        with self.io:
            self.port.write(text.encode() + b"\r")
            return self.port.read_until(b"\r").decode(errors="replace").strip()

    def query(self, lane: int) -> dict:
        reply = self._ask(f"?{lane:02d}").split()  # "L05 READY PINS=1111111111"
        if len(reply) != 3:
            return {"lane": lane, "state": "NO_REPLY"}
        return {"lane": lane, "state": reply[1], "pins": reply[2].removeprefix("PINS=")}

    def command(self, lane: int, cmd: str) -> str:
        return self._ask(f"!{lane:02d} {cmd}")

    def poll_falls(self) -> list[tuple[int, int]]:
        reply = self._ask("?FALLS").split()  # "F 05:7 06:10"
        return [(int(lane), int(pins)) for lane, pins in (x.split(":") for x in reply[1:])]


class Scoreboard:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.frames: dict[int, list[int]] = {}

    def add(self, lane: int, pins: int) -> None:
        with self.lock:
            self.frames.setdefault(lane, []).append(pins)


def reader_thread(bus, board, loop, updates: asyncio.Queue, stop: threading.Event) -> None:
    while not stop.is_set():
        for lane, pins in bus.poll_falls():
            board.add(lane, pins)
            loop.call_soon_threadsafe(updates.put_nowait, lane)
        stop.wait(0.1)


class Alley:
    def __init__(self, bus: PinsetterBus, board: Scoreboard, session: aiohttp.ClientSession) -> None:
        self.bus = bus
        self.board = board
        self.http = session
        self.monitors: dict[int, set] = {}

    async def push_loop(self, updates: asyncio.Queue) -> None:
        while True:
            lane = await updates.get()
            with self.board.lock:
                rolls = list(self.board.frames.get(lane, []))
            websockets.broadcast(self.monitors.get(lane, set()), json.dumps({"lane": lane, "rolls": rolls}))

    async def close_game(self, lane: int, bowler: str) -> list[int]:
        with self.board.lock:  # bug: ADC102
            rolls = self.board.frames.pop(lane, [])
            async with self.http.post(LEAGUE_API, json={"lane": lane, "bowler": bowler, "rolls": rolls}) as resp:
                resp.raise_for_status()
        return rolls

    async def reset_lane(self, lane: int) -> None:
        state = self.bus.query(lane)  # bug: ADC101
        if state["state"] != "READY":
            log.warning("lane %d not ready for reset: %s", lane, state)
            return
        await asyncio.to_thread(self.bus.command, lane, "RESET")

    async def monitor(self, ws) -> None:
        lane = int(ws.request.path.strip("/"))
        self.monitors.setdefault(lane, set()).add(ws)
        try:
            async for raw in ws:
                cmd = json.loads(raw)
                if cmd["do"] == "reset":
                    await self.reset_lane(lane)
                elif cmd["do"] == "close":
                    await ws.send(json.dumps({"filed": await self.close_game(lane, cmd["bowler"])}))
        finally:
            self.monitors[lane].discard(ws)


async def main() -> None:
    bus = await asyncio.to_thread(PinsetterBus, os.environ.get("PINSETTER_TTY", "/dev/ttyRS485"))
    board, updates, stop = Scoreboard(), asyncio.Queue(), threading.Event()
    args = (bus, board, asyncio.get_running_loop(), updates, stop)
    reader = threading.Thread(target=reader_thread, args=args, daemon=True)
    reader.start()
    headers = {"Authorization": f"Bearer {os.environ['LEAGUE_TOKEN']}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        alley = Alley(bus, board, session)
        pusher = asyncio.create_task(alley.push_loop(updates))
        try:
            async with websockets.serve(alley.monitor, "0.0.0.0", 8800):
                await asyncio.Future()
        finally:
            pusher.cancel()
            stop.set()
            await asyncio.to_thread(reader.join, 3)
            await asyncio.to_thread(bus.port.close)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
