"""Data logger for a moored wave buoy: serial sensors in, Iridium SBD out."""
from __future__ import annotations

import asyncio
import json
import logging
import struct
from dataclasses import asdict, dataclass

import serial_asyncio

log = logging.getLogger("buoy")
LOG_PATH = "/data/buoy/records.jsonl"


@dataclass
class Record:
    ts: float
    hs_m: float
    tp_s: float
    sst_c: float
    battery_v: float


class BuoyLogger:
    def __init__(self, sensor_port: str, modem_port: str) -> None:
        self.sensor_port = sensor_port
        self.modem_port = modem_port
        self.modem_up = False
        self.outbox: asyncio.Queue[Record] = asyncio.Queue(maxsize=500)
        self.modem_reader: asyncio.StreamReader | None = None
        self.modem_writer: asyncio.StreamWriter | None = None

    async def bring_up_modem(self) -> None:
        self.modem_reader, self.modem_writer = await serial_asyncio.open_serial_connection(
            url=self.modem_port, baudrate=19200
        )
        for cmd in (b"AT\r", b"AT&K0\r", b"AT+SBDD0\r"):
            self.modem_writer.write(cmd)
            await self.modem_writer.drain()
            await self.modem_reader.readuntil(b"OK\r\n")
        self.modem_up = True

    async def read_sensors(self) -> None:
        reader, writer = await serial_asyncio.open_serial_connection(url=self.sensor_port, baudrate=9600)
        try:
            while True:
                line = await reader.readline()
                try:
                    ts, hs, tp, sst, bat = (float(x) for x in line.decode().strip().split(","))
                except ValueError:
                    continue
                rec = Record(ts, hs, tp, sst, bat)
                with open(LOG_PATH, "a") as fh:  # bug: ADC101 @jsonl
                    fh.write(json.dumps(asdict(rec)) + "\n")  # bug: ADC101 @jsonl
                if self.outbox.full():
                    self.outbox.get_nowait()
                self.outbox.put_nowait(rec)
        finally:
            writer.close()

    async def send_sbd(self, rec: Record) -> None:
        payload = struct.pack("<Ifffh", int(rec.ts), rec.hs_m, rec.tp_s, rec.sst_c, int(rec.battery_v * 100))
        checksum = sum(payload) & 0xFFFF
        # SBD is strictly write-buffer-then-initiate on one modem
        self.modem_writer.write(f"AT+SBDWB={len(payload)}\r".encode())
        await self.modem_writer.drain()
        await self.modem_reader.readuntil(b"READY\r\n")
        self.modem_writer.write(payload + checksum.to_bytes(2, "big"))
        await self.modem_writer.drain()
        await self.modem_reader.readuntil(b"0\r\n")
        self.modem_writer.write(b"AT+SBDIX\r")
        await self.modem_writer.drain()
        await self.modem_reader.readuntil(b"OK\r\n")

    async def uplink(self) -> None:
        while not self.modem_up:  # bug: ADC503
            await asyncio.sleep(0.2)
        while True:
            rec = await self.outbox.get()
            for attempt in range(5):
                try:
                    await asyncio.wait_for(self.send_sbd(rec), timeout=90)
                    break
                except (asyncio.TimeoutError, asyncio.IncompleteReadError):
                    log.warning("SBD session failed, attempt %d", attempt + 1)
                    await asyncio.sleep(30 * (attempt + 1))

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.bring_up_modem())
            tg.create_task(self.read_sensors())
            tg.create_task(self.uplink())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(BuoyLogger("/dev/ttyS1", "/dev/ttyUSB0").run())
