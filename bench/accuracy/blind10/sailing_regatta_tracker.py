"""Regatta live tracking (Starlette): GPS trackers on each yacht post fixes,
spectators follow the fleet over websockets, the race office records finishes."""
import asyncio
import contextlib
import json
import os
import time

from redis import asyncio as aioredis
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.endpoints import WebSocketEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

TRACKER_KEYS = set(os.environ.get("TRACKER_KEYS", "").split(","))


class FleetHub:
    def __init__(self, redis):
        self.redis = redis
        self.positions: dict[str, dict] = {}
        self.queues: dict[WebSocket, asyncio.Queue] = {}

    def snapshot(self) -> dict:
        return {"type": "snapshot", "boats": self.positions}

    async def fanout(self, fix: dict) -> None:
        await self.redis.xadd("regatta:fixes", {"boat": fix["sail_no"], "fix": json.dumps(fix)}, maxlen=200_000)
        for q in self.queues.values():
            if q.qsize() < 100:  # a slow spectator just misses frames
                q.put_nowait({"type": "fix", **fix})


class Spectator(WebSocketEndpoint):
    encoding = "json"

    async def on_connect(self, websocket: WebSocket) -> None:
        hub: FleetHub = websocket.app.state.hub
        await websocket.accept()
        hub.queues[websocket] = asyncio.Queue()
        websocket.send_json(hub.snapshot())  # bug: ADC201
        self.sender = asyncio.create_task(self._pump(websocket, hub.queues[websocket]))

    async def _pump(self, websocket: WebSocket, q: asyncio.Queue) -> None:
        while True:
            await websocket.send_json(await q.get())

    async def on_receive(self, websocket: WebSocket, data) -> None:
        if data.get("type") == "follow":
            await websocket.send_json({"type": "following", "sail_no": data["sail_no"]})

    async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
        websocket.app.state.hub.queues.pop(websocket, None)
        self.sender.cancel()


async def post_fix(request: Request) -> JSONResponse:
    if request.headers.get("x-tracker-key") not in TRACKER_KEYS:
        return JSONResponse({"error": "unknown tracker"}, status_code=401)
    fix = await request.json()
    fix["received"] = time.time()
    hub: FleetHub = request.app.state.hub
    hub.positions[fix["sail_no"]] = fix
    asyncio.create_task(hub.fanout(fix))  # bug: ADC301
    return JSONResponse({"ok": True}, status_code=202)


async def record_finish(sail_no: str, at: float, redis) -> None:
    await redis.zadd("regatta:finishes", {sail_no: at})


async def post_finish(request: Request) -> JSONResponse:
    body = await request.json()
    hub: FleetHub = request.app.state.hub
    task = BackgroundTask(record_finish, body["sail_no"], body["at"], hub.redis)
    return JSONResponse({"finished": body["sail_no"]}, background=task)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    app.state.hub = FleetHub(aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost")))
    yield
    await app.state.hub.redis.aclose()


app = Starlette(
    routes=[
        Route("/fixes", post_fix, methods=["POST"]),
        Route("/finishes", post_finish, methods=["POST"]),
        WebSocketRoute("/live", Spectator),
    ],
    lifespan=lifespan,
)
