"""Barrier gates for the Quayside multi-storey car park.

ANPR cameras on each lane deliver plate reads through the vendor SDK, which
calls us back on its own thread. Season tickets and pre-booked plates are
let in; on the way out, paid visits are let out. The attendant can open a
gate from the intercom console.
"""
import asyncio
import logging
import os
import threading
from datetime import datetime

import asyncpg
from aiohttp import web
from pymodbus.client import AsyncModbusTcpClient
from vizplate import CameraClient

log = logging.getLogger("quayside")
LANES = {"in-1": 0, "in-2": 1, "out-1": 2, "out-2": 3}  # lane -> barrier coil
MIN_CONFIDENCE = 0.85


class Gates:
    def __init__(self, host: str) -> None:
        self.modbus = AsyncModbusTcpClient(host)

    async def open(self, lane: str) -> None:
        coil = LANES[lane]
        await self.modbus.write_coil(coil, True)
        await asyncio.sleep(0.8)  # the barrier controller wants a pulse, not a level
        await self.modbus.write_coil(coil, False)


class CarPark:
    def __init__(self, pool: asyncpg.Pool, gates: Gates, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.gates = gates
        self.loop = loop
        self.lock = threading.Lock()
        self.latest: dict[str, tuple[str, float, datetime]] = {}
        self.wake = {lane: asyncio.Event() for lane in LANES}

    def on_plate(self, lane: str, plate: str, confidence: float) -> None:
        """Called on the SDK's thread."""
        with self.lock:
            self.latest[lane] = (plate.upper().replace(" ", ""), confidence, datetime.now())
        self.loop.call_soon_threadsafe(self.wake[lane].set)

    async def allowed(self, lane: str, plate: str) -> bool:
        if lane.startswith("out"):
            return bool(await self.pool.fetchval(
                "SELECT paid FROM visits WHERE plate = $1 AND exited IS NULL", plate))
        return bool(await self.pool.fetchval(
            "SELECT 1 FROM permits WHERE plate = $1 AND valid_until >= now()"
            " UNION SELECT 1 FROM bookings WHERE plate = $1 AND day = current_date", plate))

    async def handle(self, lane: str, plate: str, confidence: float, seen_at: datetime) -> None:
        if confidence < MIN_CONFIDENCE or not await self.allowed(lane, plate):
            return
        await self.gates.open(lane)
        if lane.startswith("in"):
            await self.pool.execute("INSERT INTO visits (plate, entered) VALUES ($1, $2)", plate, seen_at)
        else:
            await self.pool.execute(
                "UPDATE visits SET exited = $2 WHERE plate = $1 AND exited IS NULL", plate, seen_at)

    async def lane_worker(self, lane: str) -> None:
        while True:
            await self.wake[lane].wait()
            self.wake[lane].clear()
            with self.lock:
                read = self.latest.pop(lane, None)
            if read is None:
                continue
            try:
                await self.handle(lane, *read)
            except:  # bug: ADC601
                log.exception("lane %s: plate read not handled", lane)

    async def manual_open(self, lane: str, attendant: str) -> None:
        with self.lock:  # bug: ADC102
            read = self.latest.pop(lane, None)
            await self.gates.open(lane)
            await self.pool.execute(
                "INSERT INTO manual_opens (lane, plate, attendant) VALUES ($1, $2, $3)",
                lane, read[0] if read else None, attendant,
            )


async def intercom_open(request: web.Request) -> web.Response:
    lane = request.match_info["lane"]
    if lane not in LANES:
        raise web.HTTPNotFound()
    await request.app["park"].manual_open(lane, request.headers.get("X-Attendant", "unknown"))
    return web.json_response({"opened": lane})


async def main() -> None:
    pool = await asyncpg.create_pool(os.environ["QUAYSIDE_DSN"])
    gates = Gates(os.environ.get("GATE_PLC", "10.12.0.9"))
    await gates.modbus.connect()
    park = CarPark(pool, gates, asyncio.get_running_loop())
    camera = CameraClient(os.environ["ANPR_HOST"], api_key=os.environ["ANPR_KEY"])
    camera.on_plate(park.on_plate)
    await asyncio.to_thread(camera.connect)
    app = web.Application()
    app["park"] = park
    app.router.add_post("/lanes/{lane}/open", intercom_open)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", 8070).start()
    try:
        async with asyncio.TaskGroup() as tg:
            for lane in LANES:
                tg.create_task(park.lane_worker(lane))
    finally:
        await runner.cleanup()
        await asyncio.to_thread(camera.disconnect)
        gates.modbus.close()
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
