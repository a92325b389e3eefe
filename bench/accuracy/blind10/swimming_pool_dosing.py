"""Leisure centre pool plant: chlorine and acid dosing over Modbus, with a status
API for the duty manager's tablet."""
import asyncio
import contextlib
import logging
import threading
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pymodbus.client import AsyncModbusTcpClient

log = logging.getLogger("plant")

PLC_HOST = "10.20.0.15"
REG_FREE_CL, REG_PH = 100, 101  # x100, read together
REG_BACKWASH_STATE = 110
REG_CL_PUMP, REG_ACID_PUMP, REG_BACKWASH = 200, 201, 210
CL_LOW, PH_HIGH = 1.0, 7.6
MAX_DOSE_SECONDS = 120


class DosingController:
    def __init__(self, plc: AsyncModbusTcpClient):
        self.plc = plc
        self.dosing_lock = threading.Lock()
        self.dosing_active = False
        self.reading: dict[str, float] = {}
        self._dose_started: float | None = None

    def watchdog(self) -> None:
        """Own thread: logs and raises the plant alarm if a dose overruns."""
        while True:
            time.sleep(5)
            with self.dosing_lock:
                started = self._dose_started
            if started and time.monotonic() - started > MAX_DOSE_SECONDS:
                log.critical("dose running for %.0f s; check pump relays", time.monotonic() - started)

    async def read(self) -> dict[str, float]:
        rr = await self.plc.read_holding_registers(REG_FREE_CL, count=2, slave=1)
        self.reading = {"free_cl": rr.registers[0] / 100, "ph": rr.registers[1] / 100}
        return self.reading

    async def dose(self, register: int, seconds: float) -> None:
        self.dosing_lock.acquire()  # bug: ADC102
        try:
            self.dosing_active = True
            self._dose_started = time.monotonic()
            await self.plc.write_register(register, 1, slave=1)
            await asyncio.sleep(seconds)
            await self.plc.write_register(register, 0, slave=1)
        finally:
            self.dosing_active = False
            self._dose_started = None
            self.dosing_lock.release()

    async def control_loop(self) -> None:
        while True:
            r = await self.read()
            # acid first, then chlorine, never both at once: one after the other on purpose
            if r["ph"] > PH_HIGH:
                await self.dose(REG_ACID_PUMP, min(60, (r["ph"] - 7.4) * 200))
            if r["free_cl"] < CL_LOW:
                await self.dose(REG_CL_PUMP, min(90, (1.5 - r["free_cl"]) * 120))
            await asyncio.sleep(30)

    async def run_backwash(self) -> None:
        while self.dosing_active:  # bug: ADC503
            await asyncio.sleep(0.2)
        await self.plc.write_register(REG_BACKWASH, 1, slave=1)
        # the PLC runs the backwash sequence itself; poll its state register
        async with asyncio.timeout(900):
            while True:
                rr = await self.plc.read_holding_registers(REG_BACKWASH_STATE, count=1, slave=1)
                if rr.registers[0] == 0:
                    break
                await asyncio.sleep(5)
        log.info("backwash complete")


@asynccontextmanager
async def lifespan(app: FastAPI):
    plc = AsyncModbusTcpClient(PLC_HOST, port=502, timeout=3)
    await plc.connect()
    app.state.ctl = ctl = DosingController(plc)
    app.state.backwash = None
    threading.Thread(target=ctl.watchdog, name="dose-watchdog", daemon=True).start()
    loop_task = asyncio.create_task(ctl.control_loop())
    try:
        yield
    finally:
        loop_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop_task
        plc.close()


app = FastAPI(lifespan=lifespan)


@app.get("/status")
async def status():
    ctl = app.state.ctl
    return {**ctl.reading, "dosing": ctl.dosing_active}


@app.post("/maintenance/backwash", status_code=202)
async def backwash():
    if app.state.backwash and not app.state.backwash.done():
        raise HTTPException(409, "backwash already running")
    app.state.backwash = asyncio.create_task(app.state.ctl.run_backwash())
    return {"started": True}
