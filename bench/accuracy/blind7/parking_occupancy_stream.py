"""Live occupancy stream for the car-park signs (Starlette + SSE).

The sensor gateway posts counts; the variable-message signs at the city
entrances hold an SSE connection and redraw when the count changes.
"""
import asyncio
import contextlib
import json
import threading
import time
from contextlib import asynccontextmanager

import aiosqlite
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

stats_lock = threading.Lock()
STATS = {"updates": 0, "last_update": 0.0}


def bump_stats() -> None:
    with stats_lock:
        STATS["updates"] += 1
        STATS["last_update"] = time.time()


class Occupancy:
    def __init__(self) -> None:
        self.free: dict[str, int] = {}
        self.changed = asyncio.Condition()

    async def update(self, lot: str, free: int) -> None:
        async with self.changed:
            if self.free.get(lot) != free:
                self.free[lot] = free
                self.changed.notify_all()

    async def wait_change(self, known: dict[str, int]) -> dict[str, int]:
        async with self.changed:
            await self.changed.wait_for(lambda: self.free != known)
            return dict(self.free)


async def post_counts(request: Request) -> JSONResponse:
    body = await request.json()
    occ: Occupancy = request.app.state.occupancy
    db: aiosqlite.Connection = request.app.state.db
    for lot, free in body["lots"].items():
        await occ.update(lot, int(free))
    await db.executemany("INSERT INTO counts(lot, free, ts) VALUES (?, ?, ?)",
                         [(lot, int(free), time.time()) for lot, free in body["lots"].items()])
    await db.commit()
    bump_stats()
    return JSONResponse({"ok": True})


async def stream(request: Request) -> EventSourceResponse:
    occ: Occupancy = request.app.state.occupancy

    async def events():
        known: dict[str, int] = {}
        while not await request.is_disconnected():
            known = await occ.wait_change(known)
            yield {"event": "occupancy", "data": json.dumps(known)}

    return EventSourceResponse(events(), ping=15)


async def vacuum(db: aiosqlite.Connection) -> None:
    while True:
        await asyncio.sleep(24 * 3600)
        await db.execute("DELETE FROM counts WHERE ts < ?", (time.time() - 30 * 86400,))
        await db.commit()


@asynccontextmanager
async def lifespan(app: Starlette):
    app.state.occupancy = Occupancy()
    async with aiosqlite.connect("/var/lib/parking/counts.db") as db:
        app.state.db = db
        janitor = asyncio.create_task(vacuum(db))
        try:
            yield
        finally:
            janitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await janitor


app = Starlette(routes=[Route("/counts", post_counts, methods=["POST"]), Route("/stream", stream)], lifespan=lifespan)
