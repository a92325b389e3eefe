"""Volcano observatory: MultiGAS station on the crater rim (serial over a radio
modem). Archives raw frames, watches the CO2/SO2 ratio, takes field commands
over MQTT."""
import asyncio
import json
import logging
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

import aiofiles
import aiomqtt
import serial_asyncio

log = logging.getLogger("multigas")

PORT = "/dev/ttyMODEM0"
ARCHIVE = Path("/data/multigas/raw")
RATIO_ALERT = 12.0  # CO2/SO2 molar ratio rising above this precedes paroxysms here


def parse(frame: bytes) -> dict:
    # "$MG,2024-05-02T10:00:01,co2=421.7,so2=35.2,h2s=0.8"
    _, ts, *fields = frame.decode("ascii").strip().split(",")
    return {"ts": ts, **{k: float(v) for k, v in (f.split("=") for f in fields)}}


async def _calibrate(port: str, span_ppm: float) -> str:
    reader, writer = await serial_asyncio.open_serial_connection(url=port, baudrate=9600)
    try:
        writer.write(f"CAL SO2 {span_ppm:.1f}\r\n".encode())
        await writer.drain()
        return (await asyncio.wait_for(reader.readline(), 120)).decode().strip()
    finally:
        writer.close()


def calibrate_sync(port: str, span_ppm: float) -> str:
    """Technicians run this from the field laptop's CLI with the span gas attached."""
    return asyncio.get_event_loop().run_until_complete(_calibrate(port, span_ppm))


class GasStation:
    def __init__(self, reader, writer, mqtt: aiomqtt.Client):
        self.reader, self.writer, self.mqtt = reader, writer, mqtt
        self.window: deque[dict] = deque(maxlen=120)
        self._bg: set[asyncio.Task] = set()

    async def archive_raw(self, frames: list[str]) -> None:
        day = datetime.now(timezone.utc).strftime("%Y%m%d")
        f = await aiofiles.open(ARCHIVE / f"multigas-{day}.csv", "a")  # bug: ADC401
        await f.write("".join(frames))

    async def write_summary(self, ratio: float) -> None:
        async with aiofiles.open(ARCHIVE.parent / "ratio.jsonl", "a") as f:
            await f.write(json.dumps({"at": datetime.now(timezone.utc).isoformat(), "ratio": ratio}) + "\n")

    async def sample_loop(self) -> None:
        frames: list[str] = []
        while True:
            try:
                frame = await asyncio.wait_for(self.reader.readline(), timeout=30)
                self.window.append(parse(frame))
                frames.append(frame.decode("ascii"))
                if len(frames) >= 60:
                    await self.archive_raw(frames)
                    frames = []
                    ratio = sum(s["co2"] for s in self.window) / max(sum(s["so2"] for s in self.window), 1e-6)
                    await self.write_summary(ratio)
                    if ratio > RATIO_ALERT:
                        t = asyncio.create_task(self.mqtt.publish("observatory/alerts", f"CO2/SO2 {ratio:.1f}", qos=1))
                        self._bg.add(t)
                        t.add_done_callback(self._bg.discard)
            except:  # bug: ADC601
                log.exception("bad frame from the rim station")
                await asyncio.sleep(1)

    async def handle_command(self, cmd: dict) -> str:
        if cmd["op"] == "zero":
            self.writer.write(b"ZERO\r\n")
            await self.writer.drain()
            return "zero requested"
        if cmd["op"] == "calibrate":
            return calibrate_sync(PORT, float(cmd["span_ppm"]))  # bug: ADC103
        return f"unknown op {cmd['op']!r}"


async def main() -> None:
    reader, writer = await serial_asyncio.open_serial_connection(url=PORT, baudrate=9600)
    try:
        async with aiomqtt.Client("mqtt.observatory.local", identifier="multigas-rim") as mqtt:
            station = GasStation(reader, writer, mqtt)
            await mqtt.subscribe("observatory/multigas/cmd", qos=1)
            sampler = asyncio.create_task(station.sample_loop())
            async for message in mqtt.messages:
                reply = await station.handle_command(json.loads(message.payload))
                await mqtt.publish("observatory/multigas/reply", reply)
            sampler.cancel()
    finally:
        writer.close()


if __name__ == "__main__":
    asyncio.run(main())
