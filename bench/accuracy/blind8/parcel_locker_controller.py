"""Controller for a bank of parcel lockers at a train station.

The lock board talks over RS-485 (pyserial-asyncio); the carrier's cloud
decides which slot a pickup code opens. Couriers drop parcels, customers
type a code on the touch screen, the slot opens and must be shut again.
"""
from __future__ import annotations

import asyncio
import logging
import os

import httpx
import serial_asyncio

log = logging.getLogger("locker")
CARRIER_API = os.environ.get("CARRIER_API", "https://lockers.carrier.example/v2")
LOCKER_ID = os.environ.get("LOCKER_ID", "ST-0412")


class LockerController:
    def __init__(self, port: str) -> None:
        self.port = port
        self.api = httpx.AsyncClient(base_url=CARRIER_API, timeout=10,
                                     headers={"X-Locker-Key": os.environ.get("LOCKER_KEY", "")})
        self.doors: dict[int, str] = {}
        self.board_ready = asyncio.Event()
        self.writer: asyncio.StreamWriter | None = None

    async def read_board(self) -> None:
        reader, self.writer = await serial_asyncio.open_serial_connection(url=self.port, baudrate=19200)
        self.board_ready.set()
        while line := await reader.readline():
            # frames look like b"D07:OPEN\n" or b"D07:SHUT\n"
            slot, state = line.decode().strip()[1:].split(":")
            self.doors[int(slot)] = state.lower()

    async def open_slot(self, slot: int) -> None:
        await self.board_ready.wait()
        self.writer.write(f"O{slot:02d}\n".encode())
        await self.writer.drain()

    async def pickup(self, code: str) -> bool:
        lookup = asyncio.create_task(self.api.get(f"/lockers/{LOCKER_ID}/pickups/{code}"))  # bug: ADC302
        resp = await lookup
        if resp.status_code == 404:
            return False
        resp.raise_for_status()
        slot = resp.json()["slot"]
        await self.open_slot(slot)
        await asyncio.sleep(1.0)
        while self.doors.get(slot) == "open":  # bug: ADC503
            await asyncio.sleep(0.2)
        confirm = await self.api.post(f"/lockers/{LOCKER_ID}/pickups/{code}/done", json={"slot": slot})
        confirm.raise_for_status()
        return True

    async def wait_for_label(self, parcel_id: str) -> dict:
        """Couriers' drops need a label the carrier generates remotely; poll until it exists."""
        async with asyncio.timeout(120):
            while True:
                resp = await self.api.get(f"/parcels/{parcel_id}/label")
                if resp.status_code == 200:
                    return resp.json()
                await asyncio.sleep(3)

    async def close(self) -> None:
        await self.api.aclose()
        if self.writer is not None:
            self.writer.close()


async def kiosk(ctrl: LockerController, jobs: asyncio.Queue[tuple[str, str]]) -> None:
    while True:
        kind, value = await jobs.get()
        if kind == "PICKUP":
            ok = await ctrl.pickup(value)
            log.info("pickup %s: %s", value, "ok" if ok else "unknown code")
        elif kind == "DROP":
            label = await ctrl.wait_for_label(value)
            await ctrl.open_slot(label["slot"])


async def main() -> None:
    ctrl = LockerController("/dev/ttyRS485")
    jobs: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def screen(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            kind, _, value = (await reader.readline()).decode().strip().partition(" ")
            jobs.put_nowait((kind, value))
            writer.write(b"QUEUED\n")
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_unix_server(screen, "/run/locker/screen.sock")
    try:
        async with server, asyncio.TaskGroup() as tg:
            tg.create_task(ctrl.read_board())
            tg.create_task(kiosk(ctrl, jobs))
            tg.create_task(server.serve_forever())
    finally:
        await ctrl.close()


if __name__ == "__main__":
    asyncio.run(main())
