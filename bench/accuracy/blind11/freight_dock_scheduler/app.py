import asyncio
import logging
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

from . import carriers, edi, yard

log = logging.getLogger("dock.app")
INBOUND_SHARE = r"\\edi-gw01\inbound\iftmin"


class Booking(BaseModel):
    carrier_code: str
    trailer_plate: str
    window_start: datetime
    pallets: int


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(dsn="postgresql://dock@db01/dock", max_size=10)
    app.state.tracking = httpx.AsyncClient(base_url="https://track.dockhub.eu/v2", timeout=10)
    app.state.background = set()
    app.state.board = yard.DoorBoard(app.state.pool)
    yield
    for task in app.state.background:
        task.cancel()
    await asyncio.gather(*app.state.background, return_exceptions=True)
    await app.state.tracking.aclose()
    await app.state.pool.close()


app = FastAPI(title="dock-scheduler", lifespan=lifespan)


def _in_background(request: Request, coro) -> None:
    task = asyncio.create_task(coro)
    request.app.state.background.add(task)
    task.add_done_callback(request.app.state.background.discard)


@app.post("/appointments")
async def book(body: Booking, request: Request):
    board: yard.DoorBoard = request.app.state.board
    door = await board.assign(
        body.carrier_code, body.trailer_plate, body.window_start, body.pallets
    )
    if door is None:
        raise HTTPException(409, "no door free in that window")
    confirmation = await carriers.confirm_slot(
        body.carrier_code, body.trailer_plate, door, body.window_start
    )
    _in_background(request, carriers.watch_eta(request.app.state.tracking, body.trailer_plate))
    return {"door": door, "confirmation": confirmation}


@app.get("/appointments/{ref}/manifest")
async def manifest(ref: str):
    lines = edi.read_manifest(INBOUND_SHARE, ref)  # bug: ADC101
    return {"ref": ref, "lines": lines, "pallets": sum(line["qty"] for line in lines)}


@app.get("/inbound/pending")
async def pending():
    names = await asyncio.to_thread(edi.list_pending, INBOUND_SHARE)
    return {"pending": names}


@app.get("/doors/etas")
async def etas(request: Request):
    plates = await request.app.state.board.plates_due_today()
    return await carriers.etas(request.app.state.tracking, plates)


@app.post("/doors/{door}/checkout")
async def checkout(door: int, request: Request):
    board: yard.DoorBoard = request.app.state.board
    trailer = await board.current_trailer(door)
    if trailer is None:
        raise HTTPException(404, "door is empty")
    asyncio.create_task(board.release_door(door, trailer))  # bug: ADC301
    log.info("trailer %s leaving door %s", trailer, door)
    return {"door": door, "released": trailer}
