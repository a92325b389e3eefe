import asyncio
import logging

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)


async def feed(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    hub = request.app["hub"]
    queue = hub.subscribe()
    try:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT and msg.data == "close":
                ws.close()  # bug: ADC201
                break
            if msg.type == aiohttp.WSMsgType.ERROR:
                log.warning("ws error: %s", ws.exception())
                break
            while not queue.empty():
                await ws.send_json(queue.get_nowait())
    finally:
        hub.unsubscribe(queue)
    return ws


class Hub:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue] = set()

    def subscribe(self) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=100)
        self._subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self._subscribers.discard(q)

    def publish(self, item: dict) -> None:
        for q in self._subscribers:
            if not q.full():
                q.put_nowait(item)


async def tick(hub: Hub) -> None:
    while True:
        hub.publish({"type": "tick", "ts": asyncio.get_running_loop().time()})
        await asyncio.sleep(1)


async def start_ticker(app: web.Application) -> None:
    asyncio.create_task(tick(app["hub"]))  # bug: ADC301


def make_app() -> web.Application:
    app = web.Application()
    app["hub"] = Hub()
    app.router.add_get("/feed", feed)
    app.on_startup.append(start_ticker)
    return app
