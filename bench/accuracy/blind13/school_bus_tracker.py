"""Where's my bus? Live school bus positions for Fernvale district parents.

Positions come from the bus operator's telematics API every 15 seconds.
Parents watching a route get the positions over a websocket, and parents of
children at the next stop get a push notification when the bus is close.
"""
import asyncio
import json
import logging
import math
import os
from datetime import date

import aiohttp
from aiohttp import web

log = logging.getLogger("fernvale")
TELEMATICS = "https://api.fleetpulse.example/v1/vehicles/positions"
PUSH = "https://push.fernvale-schools.example/v1/notify"
NOTIFIERS = 4
NEAR_M = 600


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12_742_000 * math.asin(math.sqrt(h))


async def notifier(app: web.Application) -> None:
    queue: asyncio.Queue = app["push_queue"]
    while True:
        stop_id, route = await queue.get()
        try:
            body = {"topic": f"stop-{stop_id}", "text": f"Bus {route} is nearly at your stop"}
            async with app["http"].post(PUSH, json=body) as resp:
                resp.raise_for_status()
        except aiohttp.ClientError:
            log.exception("push for stop %s failed", stop_id)
        finally:
            queue.task_done()


def publish(app: web.Application, route: str, frame: str) -> None:
    for q in app["watchers"].get(route, ()):
        if q.full():
            q.get_nowait()  # a slow phone only needs the newest position
        q.put_nowait(frame)


async def poll_positions(app: web.Application) -> None:
    headers = {"X-Api-Key": os.environ["FLEETPULSE_KEY"]}
    while True:
        try:
            async with app["http"].get(TELEMATICS, headers=headers, params={"group": "fernvale"}) as resp:
                resp.raise_for_status()
                vehicles = (await resp.json())["vehicles"]
        except aiohttp.ClientError as exc:
            log.warning("telematics: %s", exc)
            vehicles = []
        for v in vehicles:
            route = app["routes_by_vehicle"].get(v["id"])
            if route is None:
                continue
            publish(app, route, json.dumps({"route": route, "lat": v["lat"], "lon": v["lon"], "at": v["ts"]}))
            for stop in app["stops"].get(route, []):
                key = (date.today(), stop["id"])
                if key not in app["notified"] and distance_m((v["lat"], v["lon"]), stop["pos"]) < NEAR_M:
                    app["notified"].add(key)
                    app["push_queue"].put_nowait((stop["id"], route))
        await asyncio.sleep(15)


async def watch(request: web.Request) -> web.WebSocketResponse:
    route = request.match_info["route"]
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    frames: asyncio.Queue = asyncio.Queue(maxsize=4)
    request.app["watchers"].setdefault(route, set()).add(frames)
    try:
        while not ws.closed:
            await ws.send_str(await frames.get())
    finally:
        request.app["watchers"][route].discard(frames)
    return ws


async def lifecycle(app: web.Application):
    app["watchers"], app["notified"] = {}, set()
    app["push_queue"] = asyncio.Queue()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        app["http"] = session
        async with session.get(os.environ["ROUTES_URL"]) as resp:
            resp.raise_for_status()
            routes = await resp.json()
        app["routes_by_vehicle"] = {r["vehicle"]: r["name"] for r in routes}
        app["stops"] = {r["name"]: [{"id": s["id"], "pos": (s["lat"], s["lon"])} for s in r["stops"]] for r in routes}
        workers = [asyncio.create_task(notifier(app)) for _ in range(NOTIFIERS)]
        poller = asyncio.create_task(poll_positions(app))
        yield
        poller.cancel()
        try:
            await asyncio.wait_for(app["push_queue"].join(), timeout=10)
        except TimeoutError:
            log.warning("%d pushes not sent", app["push_queue"].qsize())
        for task in workers:
            task.cancel()
        await asyncio.gather(poller, *workers, return_exceptions=True)


def make_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/routes/{route}/live", watch)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(), port=8097)
