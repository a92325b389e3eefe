"""Show control for the Kestrel Point planetarium dome.

The dome's playback server takes OSC commands over UDP; the house and cove
lights are DMX over Art-Net. Shows start from the day's timetable, and the
duty technician can start a held-back show a few minutes late from the
admin page (school groups arrive late).
"""
from __future__ import annotations

import asyncio
import json
import logging
import struct
from datetime import datetime
from pathlib import Path
from time import sleep

from aiohttp import web

log = logging.getLogger("dome")
PLAYBACK = ("10.30.0.5", 7000)
ARTNET = ("10.30.0.255", 6454)
HOUSE_CH, COVE_CH = 1, 17
CONFIG = Path("/etc/kestrel")


def osc_message(address: str, *args: str) -> bytes:
    def pad(b: bytes) -> bytes:
        return b + b"\0" * (4 - len(b) % 4)

    tags = "," + "s" * len(args)
    return pad(address.encode()) + pad(tags.encode()) + b"".join(pad(a.encode()) for a in args)


def artnet_packet(universe: int, levels: bytearray) -> bytes:
    head = b"Art-Net\0" + struct.pack("<H", 0x5000) + struct.pack(">H", 14) + bytes([0, 0])
    return head + struct.pack("<H", universe) + struct.pack(">H", len(levels)) + bytes(levels)


def read_json(path: Path):
    return json.loads(path.read_text())


class Dome:
    def __init__(self, transport: asyncio.DatagramTransport, shows: dict[str, dict]) -> None:
        self.udp = transport
        self.shows = shows
        self.dmx = bytearray(512)
        self.now_playing: str | None = None
        self._running: set[asyncio.Task] = set()

    def _set(self, channel: int, level: int) -> None:
        self.dmx[channel - 1] = level
        self.udp.sendto(artnet_packet(0, self.dmx), ARTNET)

    async def fade_house(self, to_level: int, seconds: float = 4.0) -> None:
        start, steps = self.dmx[HOUSE_CH - 1], int(seconds * 20)
        for i in range(1, steps + 1):
            self._set(HOUSE_CH, start + (to_level - start) * i // steps)
            sleep(1 / 20)  # bug: ADC101

    async def fade_cove(self, to_level: int, seconds: float = 2.0) -> None:
        start, steps = self.dmx[COVE_CH - 1], int(seconds * 20)
        for i in range(1, steps + 1):
            self._set(COVE_CH, start + (to_level - start) * i // steps)
            await asyncio.sleep(1 / 20)

    async def start_show(self, show_id: str) -> None:
        show = self.shows[show_id]
        await self.fade_house(0)
        await self.fade_cove(show.get("cove", 40))
        self.udp.sendto(osc_message("/playback/load", show["clip"]), PLAYBACK)
        await asyncio.sleep(1.5)  # the playback server needs a moment to cue the clip
        self.udp.sendto(osc_message("/playback/play"), PLAYBACK)
        self.now_playing = show_id
        await asyncio.sleep(show["minutes"] * 60)
        self.now_playing = None
        await self.fade_cove(0)
        await self.fade_house(255)

    def _launch(self, show_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self.start_show(show_id))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def schedule_today(self, timetable: list[dict]) -> int:
        loop = asyncio.get_running_loop()
        now = datetime.now()
        scheduled = 0
        for slot in timetable:
            at = datetime.combine(now.date(), datetime.strptime(slot["time"], "%H:%M").time())
            if at > now:
                loop.call_later((at - now).total_seconds(), self._launch, slot["show"])
                scheduled += 1
        return scheduled


async def start_late(request: web.Request) -> web.Response:
    dome: Dome = request.app["dome"]
    show_id = request.match_info["show"]
    minutes = int(request.query.get("minutes", "10"))
    asyncio.get_running_loop().call_later(minutes * 60, dome.start_show, show_id)  # bug: ADC202
    return web.json_response({"show": show_id, "starts_in_min": minutes})


async def status(request: web.Request) -> web.Response:
    return web.json_response({"now_playing": request.app["dome"].now_playing})


async def on_startup(app: web.Application) -> None:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("0.0.0.0", 0), allow_broadcast=True
    )
    shows = await asyncio.to_thread(read_json, CONFIG / "shows.json")
    timetable = await asyncio.to_thread(read_json, CONFIG / "timetable.json")
    app["dome"] = Dome(transport, shows)
    log.info("%d shows scheduled today", app["dome"].schedule_today(timetable))


async def on_cleanup(app: web.Application) -> None:
    app["dome"].udp.close()


if __name__ == "__main__":
    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.add_routes([web.post("/shows/{show}/late", start_late), web.get("/status", status)])
    web.run_app(app, port=8088)
