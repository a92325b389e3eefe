"""Live map for a falconry club's flying days.

Each bird carries a GPS tag that reports through the tag vendor's cloud.
When the falconer opens a flight from the field, members' phones hold a
websocket and see every bird on the flight move on the map. After the
flight the tracks are exported from the vendor and kept for the bird's log.
"""
import asyncio
import contextlib
import json
import logging
import os
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

log = logging.getLogger("falconry")

TAG_API = "https://api.tagcloud.example/v3"
TAG_KEY = os.environ.get("TAG_KEY", "")
REFRESH_S = 5


class FlightDay:
    def __init__(self, vendor: httpx.AsyncClient) -> None:
        self.vendor = vendor
        self.flight_open = False
        self.birds: list[dict] = []
        self.phones: set[asyncio.Queue[str]] = set()
        self.stopped = asyncio.Event()

    async def last_fix(self, tag_id: str) -> dict:
        resp = await self.vendor.get(f"/tags/{tag_id}/fixes/latest")
        resp.raise_for_status()
        fix = resp.json()
        return {"lat": fix["lat"], "lon": fix["lon"], "alt": fix["alt_m"], "at": fix["timestamp"]}

    def push(self, frame: dict) -> None:
        text = json.dumps(frame)
        for queue in self.phones:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(text)

    async def tracker(self) -> None:
        while not self.stopped.is_set():
            while not self.flight_open:  # bug: ADC503
                await asyncio.sleep(1)
            positions = {}
            for bird in self.birds:
                positions[bird["name"]] = await self.last_fix(bird["tag_id"])  # bug: ADC501
            self.push({"type": "positions", "birds": positions})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopped.wait(), REFRESH_S)

    async def export_tracks(self, since: str) -> list[dict]:
        resp = await self.vendor.post(
            "/exports", json={"tags": [b["tag_id"] for b in self.birds], "from": since, "format": "geojson"}
        )
        resp.raise_for_status()
        job = resp.json()
        async with asyncio.timeout(300):
            while job["state"] not in ("done", "failed"):
                await asyncio.sleep(3)
                job = (await self.vendor.get(f"/exports/{job['id']}")).json()
        if job["state"] == "failed":
            raise RuntimeError(f"export {job['id']} failed")
        data = await self.vendor.get(job["download_url"])
        return data.json()["features"]


@asynccontextmanager
async def lifespan(app: FastAPI):
    vendor = httpx.AsyncClient(base_url=TAG_API, headers={"Authorization": f"Bearer {TAG_KEY}"}, timeout=10)
    app.state.day = FlightDay(vendor)
    tracker = asyncio.create_task(app.state.day.tracker())
    try:
        yield
    finally:
        app.state.day.stopped.set()
        tracker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tracker
        await vendor.aclose()


app = FastAPI(lifespan=lifespan)


@app.post("/flights/start")
async def start_flight(birds: list[dict]) -> dict:
    day: FlightDay = app.state.day
    day.birds = birds
    day.flight_open = True
    return {"flying": [b["name"] for b in birds]}


@app.post("/flights/end")
async def end_flight(started_at: str) -> dict:
    day: FlightDay = app.state.day
    day.flight_open = False
    tracks = await day.export_tracks(started_at)
    day.push({"type": "ended", "tracks": len(tracks)})
    return {"tracks": tracks}


@app.websocket("/live")
async def live(ws: WebSocket) -> None:
    day: FlightDay = app.state.day
    await ws.accept()
    queue: asyncio.Queue[str] = asyncio.Queue(maxsize=20)
    day.phones.add(queue)
    try:
        while True:
            await ws.send_text(await queue.get())
    except (WebSocketDisconnect, RuntimeError):
        log.info("phone left the live map")
    finally:
        day.phones.discard(queue)
