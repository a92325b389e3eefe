"""Driver location channel for the ride-hailing app (Starlette).

Drivers' phones stream GPS fixes over a websocket; the server keeps the trip
distance in Redis and fans positions out to the rider's channel.
"""
import asyncio
import json
import math
from collections import defaultdict
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

TRIP_LOCKS: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12_742_000 * math.asin(math.sqrt(h))


async def on_fix(redis: aioredis.Redis, driver_id: str, fix: dict) -> None:
    trip_id = fix.get("trip_id")
    await redis.geoadd("drivers", (fix["lon"], fix["lat"], driver_id))
    if not trip_id:
        return
    lock = asyncio.Lock()  # bug: ADC504
    async with lock:
        last = await redis.hget(f"trip:{trip_id}", "last")
        if last:
            lat, lon = map(float, last.split(b","))
            await redis.hincrbyfloat(f"trip:{trip_id}", "meters", haversine_m((lat, lon), (fix["lat"], fix["lon"])))
        await redis.hset(f"trip:{trip_id}", "last", f"{fix['lat']},{fix['lon']}")
    redis.publish(f"rider:{trip_id}", json.dumps({"lat": fix["lat"], "lon": fix["lon"]}))  # bug: ADC201


async def driver_socket(ws: WebSocket) -> None:
    driver_id = ws.path_params["driver_id"]
    redis = ws.app.state.redis
    await ws.accept()
    try:
        while True:
            fix = await ws.receive_json()
            await on_fix(redis, driver_id, fix)
    except WebSocketDisconnect:
        await redis.zrem("drivers", driver_id)


async def end_trip(request) -> JSONResponse:
    trip_id = request.path_params["trip_id"]
    redis = request.app.state.redis
    async with TRIP_LOCKS[trip_id]:
        meters = float(await redis.hget(f"trip:{trip_id}", "meters") or 0)
        await redis.hset(f"trip:{trip_id}", mapping={"ended": 1, "meters": meters})
    TRIP_LOCKS.pop(trip_id, None)
    await redis.publish(f"rider:{trip_id}", json.dumps({"ended": True, "km": round(meters / 1000, 2)}))
    return JSONResponse({"trip_id": trip_id, "km": round(meters / 1000, 2)})


@asynccontextmanager
async def lifespan(app: Starlette):
    app.state.redis = aioredis.from_url("redis://redis:6379/2")
    yield
    await app.state.redis.aclose()


app = Starlette(
    routes=[
        WebSocketRoute("/ws/drivers/{driver_id}", driver_socket),
        Route("/trips/{trip_id}/end", end_trip, methods=["POST"]),
    ],
    lifespan=lifespan,
)
