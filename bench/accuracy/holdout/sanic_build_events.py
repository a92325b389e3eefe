"""Server-sent events for build progress.  Publishers and listeners meet in an
in-memory hub; nobody polls."""
import asyncio
import json
from collections import defaultdict

from sanic import Sanic
from sanic.response import json as json_response

app = Sanic("build-events")


class Hub:
    def __init__(self) -> None:
        self._subs: dict[str, set[asyncio.Queue]] = defaultdict(set)
        self.finished: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    def subscribe(self, build_id: str) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=100)
        self._subs[build_id].add(q)
        return q

    def unsubscribe(self, build_id: str, q: asyncio.Queue) -> None:
        self._subs[build_id].discard(q)

    def publish(self, build_id: str, event: dict) -> None:
        for q in list(self._subs[build_id]):
            if q.full():
                continue
            q.put_nowait(event)
        if event.get("state") in ("passed", "failed"):
            self.finished[build_id].set()


@app.before_server_start
async def make_hub(app, _):
    app.ctx.hub = Hub()


@app.post("/builds/<build_id>/events")
async def publish(request, build_id: str):
    request.app.ctx.hub.publish(build_id, request.json)
    return json_response({"ok": True})


@app.get("/builds/<build_id>/wait")
async def wait_finished(request, build_id: str):
    try:
        await asyncio.wait_for(request.app.ctx.hub.finished[build_id].wait(), timeout=600)
    except asyncio.TimeoutError:
        return json_response({"finished": False}, status=202)
    return json_response({"finished": True})


@app.get("/builds/<build_id>/stream")
async def stream(request, build_id: str):
    hub: Hub = request.app.ctx.hub
    q = hub.subscribe(build_id)
    response = await request.respond(content_type="text/event-stream")
    try:
        while True:
            try:
                event = await asyncio.wait_for(q.get(), timeout=15)
            except asyncio.TimeoutError:
                await response.send(": keep-alive\n\n")
                continue
            await response.send(f"data: {json.dumps(event)}\n\n")
            if event.get("state") in ("passed", "failed"):
                break
    finally:
        hub.unsubscribe(build_id, q)
        await response.eof()
