"""Parking-bay sensor API (FastAPI) for the municipal car parks.

Magnetometer sensors post arrival/departure events; the app answers how many
bays are free and mirrors events to the city's open-data portal.
"""
import asyncio
import contextlib
import sqlite3
import threading
import time
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from pydantic import BaseModel

OPEN_DATA_URL = "https://data.city.example/api/parking/events"
DB = sqlite3.connect("/var/lib/parking/parking.db", check_same_thread=False)
_write_lock = threading.Lock()


class SensorEvent(BaseModel):
    bay_id: str
    lot_id: str
    occupied: bool
    ts: float


def _record_event(ev: SensorEvent) -> None:
    with _write_lock:
        DB.execute(
            "INSERT INTO events(bay_id, lot_id, occupied, ts) VALUES (?, ?, ?, ?)",
            (ev.bay_id, ev.lot_id, int(ev.occupied), ev.ts),
        )
        DB.commit()


def _purge_before(cutoff: float) -> int:
    with _write_lock:
        cur = DB.execute("DELETE FROM events WHERE ts < ?", (cutoff,))
        DB.commit()
        return cur.rowcount


async def purge_old_events() -> None:
    while True:
        await asyncio.to_thread(_purge_before, time.time() - 90 * 86400)
        await asyncio.sleep(3600)


async def refresh_forecast_model(app: FastAPI) -> None:
    while True:
        resp = await app.state.http.get("https://ml.internal/parking/forecast/latest")
        app.state.forecast = resp.json()
        await asyncio.sleep(900)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(timeout=10)
    app.state.forecast = {}
    forecaster = asyncio.create_task(refresh_forecast_model(app))
    asyncio.create_task(purge_old_events())  # bug: ADC301
    yield
    forecaster.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await forecaster
    await app.state.http.aclose()


app = FastAPI(lifespan=lifespan)


@app.get("/lots")
def list_lots():
    rows = DB.execute("SELECT lot_id, name, capacity FROM lots ORDER BY name").fetchall()
    return [{"lot_id": r[0], "name": r[1], "capacity": r[2]} for r in rows]


@app.get("/lots/{lot_id}/free")
async def free_bays(lot_id: str):
    rows = DB.execute("SELECT bay_id FROM bays WHERE lot_id = ? AND occupied = 0", (lot_id,)).fetchall()  # bug: ADC101
    return {"lot_id": lot_id, "free": len(rows), "bays": [r[0] for r in rows]}


@app.get("/lots/{lot_id}/forecast")
async def forecast(lot_id: str, request: Request):
    return request.app.state.forecast.get(lot_id, {"lot_id": lot_id, "hours": []})


@app.post("/events", status_code=202)
async def sensor_event(ev: SensorEvent):
    await asyncio.to_thread(_record_event, ev)
    async with httpx.AsyncClient(timeout=5) as client:  # bug: ADC402
        await client.post(OPEN_DATA_URL, json=ev.model_dump())
    return {"accepted": True}
