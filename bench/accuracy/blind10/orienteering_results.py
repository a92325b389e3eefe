"""Orienteering event finish tent: reads SportIdent cards at the download box,
checks the punches against the course, stores results in finish order and
pushes live results to the screens in the arena."""
import asyncio
import contextlib
import json
import logging

import aiosqlite
import websockets
from sireader import SIReaderReadout

log = logging.getLogger("download")

COURSES = {
    "brown": [31, 45, 52, 38, 61, 44, 70, 100],
    "blue": [31, 33, 52, 47, 61, 100],
    "yellow": [32, 41, 100],
}


def punches_ok(course: list[int], punches: list[tuple[int, object]]) -> bool:
    codes, i = [code for code, _ in punches], 0
    for code in codes:
        if i < len(course) and code == course[i]:
            i += 1
    return i == len(course)


class FinishTent:
    def __init__(self, db: aiosqlite.Connection, port: str = "/dev/ttyUSB0"):
        self.db = db
        self.si = SIReaderReadout(port)
        self.screens: set = set()
        self.commentary: dict[str, asyncio.Task] = {}

    def _next_card(self) -> dict | None:
        """Blocking: waits up to a second for a card in the download box."""
        for _ in range(10):
            if self.si.poll_sicard():
                card = self.si.read_sicard()
                self.si.ack_sicard()
                return card
        return None

    async def record(self, card: dict) -> dict:
        async with self.db.execute("SELECT name, course FROM entries WHERE si_card = ?", (card["card_number"],)) as cur:
            entry = await cur.fetchone()
        if entry is None:
            return {"card": card["card_number"], "status": "unknown card"}
        name, course = entry
        ok = punches_ok(COURSES[course], card["punches"])
        seconds = (card["finish"] - card["start"]).total_seconds() if ok else None
        await self.db.execute(
            "INSERT INTO results (si_card, course, seconds, status) VALUES (?, ?, ?, ?)",
            (card["card_number"], course, seconds, "ok" if ok else "mispunch"),
        )
        await self.db.commit()
        return {"name": name, "course": course, "seconds": seconds, "status": "ok" if ok else "mispunch"}

    async def download_loop(self) -> None:
        # one card at a time, in the order runners hand them in: that is the finish order
        while True:
            card = await asyncio.to_thread(self._next_card)
            if card is None:
                continue
            result = await self.record(card)
            websockets.broadcast(self.screens, json.dumps(result))
            if result.get("status") == "ok" and result["course"] not in self.commentary:
                self.commentary[result["course"]] = asyncio.create_task(self.leader_commentary(result["course"]))

    async def leader_commentary(self, course: str) -> None:
        while True:
            async with self.db.execute(
                "SELECT e.name, r.seconds FROM results r JOIN entries e ON e.si_card = r.si_card "
                "WHERE r.course = ? AND r.status = 'ok' ORDER BY r.seconds LIMIT 3", (course,)
            ) as cur:
                podium = await cur.fetchall()
            websockets.broadcast(self.screens, json.dumps({"type": "leaders", "course": course, "podium": podium}))
            await asyncio.sleep(120)

    async def screen(self, ws) -> None:
        self.screens.add(ws)
        try:
            await ws.wait_closed()
        finally:
            self.screens.discard(ws)


async def main() -> None:
    async with aiosqlite.connect("event.db") as db:
        tent = await asyncio.to_thread(FinishTent, db)
        async with websockets.serve(tent.screen, "0.0.0.0", 8800):
            try:
                await tent.download_loop()
            finally:
                for task in tent.commentary.values():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task


if __name__ == "__main__":
    asyncio.run(main())
