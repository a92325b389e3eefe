"""Dispatcher desk API: suggest, assign, stand down."""
import asyncio
import contextlib
import os
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI, HTTPException, Request

from . import avl, radio
from .board import StatusBoard, Unit

DSN = os.environ.get("CAD_DSN", "postgresql://cad@db/dispatch")
AVL_FEED = os.environ.get("AVL_FEED", "wss://avl.tracker.example/v2/stream")


class Dispatcher:
    def __init__(self, board: StatusBoard, http: httpx.AsyncClient):
        self.board = board
        self.http = http

    async def assign(self, incident_id: int, callsign: str, summary: str) -> None:
        with self.board.lock:  # bug: ADC102
            unit = self.board.units.get(callsign)
            if unit is None or unit.status != "available":
                raise HTTPException(409, f"{callsign} is not available")
            await radio.page_unit(self.http, callsign, incident_id, summary)
            unit.status, unit.incident = "assigned", incident_id

    async def cancel_unit(self, incident_id: int, callsign: str) -> None:
        await radio.stand_down(self.http, callsign, incident_id)
        self.board.set_status(callsign, "available")

    async def close_incident(self, incident_id: int) -> list[str]:
        released = self.board.units_on(incident_id)
        for callsign in released:
            radio.stand_down(self.http, callsign, incident_id)  # bug: ADC201
            self.board.set_status(callsign, "available")
        return released


@asynccontextmanager
async def lifespan(app: FastAPI):
    board = StatusBoard("/srv/cad-export/units.xml")
    app.state.pool = await asyncpg.create_pool(DSN, max_size=5)
    for r in await app.state.pool.fetch("SELECT callsign, station FROM units WHERE in_service"):
        board.units[r["callsign"]] = Unit(r["callsign"], r["station"])
    app.state.stations = await avl.load_stations(DSN)
    board.start_export_thread()
    stop = asyncio.Event()
    async with httpx.AsyncClient(timeout=10, headers={"Authorization": f"Bearer {os.environ['MDT_TOKEN']}"}) as http:
        app.state.board, app.state.dispatcher = board, Dispatcher(board, http)
        feed = asyncio.create_task(avl.follow_feed(board, AVL_FEED, stop))
        try:
            yield
        finally:
            stop.set()
            feed.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feed
            await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/incidents/{incident_id}/suggest")
async def suggest(incident_id: int, lat: float, lon: float, request: Request):
    board = request.app.state.board
    with board.lock:
        free = [(u.callsign, (u.lat, u.lon)) for u in board.units.values() if u.status == "available"]
    ranked = sorted(free, key=lambda cu: avl.distance_km(cu[1], (lat, lon)))
    return {"incident": incident_id, "units": [c for c, _ in ranked[:3]]}


@app.post("/incidents/{incident_id}/assign/{callsign}")
async def assign(incident_id: int, callsign: str, request: Request):
    body = await request.json()
    await request.app.state.dispatcher.assign(incident_id, callsign, body["summary"])
    return {"assigned": callsign}


@app.post("/incidents/{incident_id}/cancel/{callsign}")
async def cancel(incident_id: int, callsign: str, request: Request):
    await request.app.state.dispatcher.cancel_unit(incident_id, callsign)
    return {"stood_down": callsign}


@app.post("/incidents/{incident_id}/close")
async def close(incident_id: int, request: Request):
    return {"released": await request.app.state.dispatcher.close_incident(incident_id)}
