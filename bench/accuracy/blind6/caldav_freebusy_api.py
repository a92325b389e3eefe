"""Free/busy lookup for meeting rooms, backed by a CalDAV server (FastAPI)."""
import asyncio
import threading
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import caldav
from fastapi import FastAPI, HTTPException

ROOMS = ("atlas", "borealis", "cygnus")
_stats_lock = threading.Lock()
_stats = {"lookups": 0, "misses": 0}
_cache: dict[str, tuple[float, list[tuple[str, str]]]] = {}
_room_locks = {room: asyncio.Lock() for room in ROOMS}


def _busy_slots(client: caldav.DAVClient, room: str, hours: int) -> list[tuple[str, str]]:
    cal = client.calendar(url=f"{client.url}/calendars/rooms/{room}/")
    start = datetime.now(timezone.utc)
    events = cal.search(start=start, end=start + timedelta(hours=hours), event=True, expand=True)
    return sorted((str(e.icalendar_component["DTSTART"].dt), str(e.icalendar_component["DTEND"].dt))
                  for e in events)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.dav = caldav.DAVClient(url="https://dav.example.org/remote.php/dav", username="rooms", password="x")
    try:
        yield
    finally:
        await asyncio.to_thread(app.state.dav.close)


app = FastAPI(lifespan=lifespan)


async def busy(room: str, hours: int) -> list[tuple[str, str]]:
    loop = asyncio.get_running_loop()
    async with _room_locks[room]:
        hit = _cache.get(room)
        if hit and loop.time() - hit[0] < 60:
            return hit[1]
        slots = await asyncio.to_thread(_busy_slots, app.state.dav, room, hours)
        _cache[room] = (loop.time(), slots)
    with _stats_lock:
        _stats["misses"] += 1
    return slots


@app.get("/rooms/{room}/busy")
async def room_busy(room: str, hours: int = 8) -> dict:
    if room not in ROOMS:
        raise HTTPException(404)
    with _stats_lock:
        _stats["lookups"] += 1
    return {"room": room, "busy": await busy(room, hours)}


@app.get("/rooms/busy")
async def all_rooms(hours: int = 8) -> dict:
    slots = await asyncio.gather(*(busy(r, hours) for r in ROOMS))
    return dict(zip(ROOMS, slots))


@app.get("/stats")
def stats() -> dict:
    with _stats_lock:
        return dict(_stats)
