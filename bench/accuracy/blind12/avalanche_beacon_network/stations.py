"""Polling the snowpack stations one by one over the shared channel."""
import asyncio
import struct
import time

from .radio import RadioLink

REPLY_WAIT_S = 1.5
SYNC_FRAME = b"\x02SYNC"


class Network:
    def __init__(self, link: RadioLink, stations: list[str]) -> None:
        self.link = link
        self.stations = stations
        self.synced = False

    async def sync_clocks(self) -> None:
        for _ in range(3):
            frame = SYNC_FRAME + struct.pack(">I", int(time.time())) + b"\x03"
            await asyncio.to_thread(self.link.send_frame, frame)
            await asyncio.sleep(REPLY_WAIT_S)
        self.synced = True

    async def poll(self, station: str) -> dict | None:
        with self.link.lock:  # bug: ADC102
            self.link.port.write(b"\x02POLL" + station.encode() + b"\x03")
            await asyncio.sleep(REPLY_WAIT_S)
        try:
            frame = await asyncio.wait_for(self.link.replies.get(), timeout=2)
        except TimeoutError:
            return None
        depth_cm, temp_c10, wind_kmh, gust_kmh = struct.unpack(">HhHH", frame[5:13])
        return {
            "station": station,
            "snow_depth_cm": depth_cm,
            "air_temp_c": temp_c10 / 10,
            "wind_kmh": wind_kmh,
            "gust_kmh": gust_kmh,
        }
