"""Surtitle server for the opera house.

The surtitle operator steps through the cue list from a console in the
prompt corner. Every seat-back display and the two projector PCs hold a
websocket and show the current line in the language chosen at the seat.
"""
import asyncio
import json
import logging
from pathlib import Path

import aiofiles
import asyncpg
import websockets
from websockets.asyncio.server import ServerConnection, serve

log = logging.getLogger("surtitles")

PRODUCTION_DIR = Path("/srv/productions")
DB_DSN = "postgresql://surtitles@db.opera.internal/performances"
LANGUAGES = ("de", "en", "fr", "it")


class SurtitleServer:
    def __init__(self, pool: asyncpg.Pool, performance_id: int, cues: list[dict]) -> None:
        self.pool = pool
        self.performance_id = performance_id
        self.cues = cues
        self.current = -1
        self.displays: dict[ServerConnection, str] = {}
        self._background: set[asyncio.Task] = set()

    def _frame(self, lang: str) -> str:
        cue = self.cues[self.current]
        return json.dumps({"cue": cue["number"], "text": cue["lines"].get(lang, "")})

    def show(self, index: int) -> None:
        self.current = max(0, min(index, len(self.cues) - 1))
        by_lang: dict[str, list[ServerConnection]] = {}
        for ws, lang in self.displays.items():
            by_lang.setdefault(lang, []).append(ws)
        for lang, conns in by_lang.items():
            websockets.broadcast(conns, self._frame(lang))

    async def log_cue(self, number: str) -> None:
        await self.pool.execute(
            "INSERT INTO cue_log (performance_id, cue, shown_at) VALUES ($1, $2, now())",
            self.performance_id, number,
        )

    async def write_cue_sheet(self) -> None:
        rows = await self.pool.fetch(
            "SELECT cue, shown_at FROM cue_log WHERE performance_id = $1 ORDER BY shown_at",
            self.performance_id,
        )
        path = PRODUCTION_DIR / f"performance-{self.performance_id}.tsv"
        async with aiofiles.open(path, "w") as fh:
            for row in rows:
                await fh.write(f"{row['cue']}\t{row['shown_at'].isoformat()}\n")

    async def operator(self, ws: ServerConnection) -> None:
        async for raw in ws:
            cmd = json.loads(raw)
            if cmd["op"] == "go":
                self.show(self.current + 1)
                asyncio.create_task(self.log_cue(self.cues[self.current]["number"]))  # bug: ADC301
                await ws.send(json.dumps({"ack": self.current}))
            elif cmd["op"] == "back":
                self.show(self.current - 1)
                ws.send(json.dumps({"ack": self.current}))  # bug: ADC201
            elif cmd["op"] == "jump":
                self.show(int(cmd["index"]))
                await self.log_cue(self.cues[self.current]["number"])
                await ws.send(json.dumps({"ack": self.current}))
            elif cmd["op"] == "curtain":
                task = asyncio.create_task(self.write_cue_sheet())
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                await ws.send(json.dumps({"ack": "curtain"}))

    async def display(self, ws: ServerConnection, lang: str) -> None:
        self.displays[ws] = lang
        try:
            if self.current >= 0:
                await ws.send(self._frame(lang))
            await ws.wait_closed()
        finally:
            self.displays.pop(ws, None)

    async def route(self, ws: ServerConnection) -> None:
        path = ws.request.path.strip("/").split("/")
        if path == ["operator"]:
            await self.operator(ws)
        elif len(path) == 2 and path[0] == "seat" and path[1] in LANGUAGES:
            await self.display(ws, path[1])
        else:
            await ws.close(code=4404, reason="unknown endpoint")


async def main(performance_id: int) -> None:
    pool = await asyncpg.create_pool(DB_DSN, max_size=4)
    try:
        row = await pool.fetchrow(
            "SELECT production FROM performances WHERE id = $1", performance_id
        )
        async with aiofiles.open(PRODUCTION_DIR / f"{row['production']}.json") as fh:
            cues = json.loads(await fh.read())
        server = SurtitleServer(pool, performance_id, cues)
        async with serve(server.route, "0.0.0.0", 8765) as ws_server:
            await ws_server.serve_forever()
    finally:
        await pool.close()


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(int(sys.argv[1])))
