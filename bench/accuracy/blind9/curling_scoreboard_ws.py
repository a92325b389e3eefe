"""Live scoreboard for a curling club's sheets (Starlette websockets)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import asdict, dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

log = logging.getLogger("curling")


@dataclass
class Sheet:
    name: str
    ends: list[tuple[int, int]] = field(default_factory=list)
    hammer: str = "red"
    version: int = 0


class Board:
    def __init__(self, names: tuple[str, ...]) -> None:
        self.sheets = {n: Sheet(n) for n in names}
        self.changed = asyncio.Condition()

    async def score_end(self, sheet: str, red: int, yellow: int) -> None:
        async with self.changed:
            s = self.sheets[sheet]
            s.ends.append((red, yellow))
            s.hammer = "yellow" if red > 0 else "red" if yellow > 0 else s.hammer
            s.version += 1
            self.changed.notify_all()

    async def wait_for_change(self, sheet: str, seen: int) -> Sheet:
        async with self.changed:
            await self.changed.wait_for(lambda: self.sheets[sheet].version > seen)
            return self.sheets[sheet]


board = Board(("A", "B", "C", "D"))


async def post_end(request: Request) -> JSONResponse:
    body = await request.json()
    await board.score_end(request.path_params["sheet"], int(body["red"]), int(body["yellow"]))
    return JSONResponse({"ok": True})


async def pinger(ws: WebSocket) -> None:
    while True:
        await asyncio.sleep(25)
        await ws.send_text(json.dumps({"type": "ping"}))


async def watch_sheet(ws: WebSocket) -> None:
    sheet = ws.path_params["sheet"]
    await ws.accept()
    keepalive = asyncio.create_task(pinger(ws))
    seen = -1
    try:
        while True:
            s = await board.wait_for_change(sheet, seen)
            seen = s.version
            await ws.send_text(json.dumps({"type": "score", **asdict(s)}))
    except WebSocketDisconnect:
        log.debug("viewer left sheet %s", sheet)
    finally:
        keepalive.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await keepalive


async def standings(request: Request) -> JSONResponse:
    totals = {
        name: {"red": sum(r for r, _ in s.ends), "yellow": sum(y for _, y in s.ends), "ends": len(s.ends)}
        for name, s in board.sheets.items()
    }
    return JSONResponse(totals)


app = Starlette(
    routes=[
        Route("/sheets/{sheet}/ends", post_end, methods=["POST"]),
        Route("/standings", standings),
        WebSocketRoute("/sheets/{sheet}/live", watch_sheet),
    ]
)
