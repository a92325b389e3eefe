"""Live bidding room for an art auction house (websockets server)."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass, field

import websockets
from websockets.asyncio.server import ServerConnection, broadcast, serve

log = logging.getLogger("auction")


@dataclass
class Lot:
    lot_no: int
    title: str
    reserve: int
    high_bid: int = 0
    high_bidder: str | None = None
    history: list[tuple[float, str, int]] = field(default_factory=list)


class Room:
    def __init__(self, lots: list[Lot]) -> None:
        self.lots = {lot.lot_no: lot for lot in lots}
        self.current = lots[0].lot_no
        self.clients: set[ServerConnection] = set()
        # the clerk's export thread copies bid history from here every few seconds
        self.book_lock = threading.Lock()
        self._timers: set[asyncio.Task] = set()

    def export_book(self) -> list[dict]:
        with self.book_lock:
            return [
                {"lot": l.lot_no, "bids": list(l.history), "hammer": l.high_bid}
                for l in self.lots.values()
            ]

    async def announce(self, event: dict) -> None:
        broadcast(self.clients, json.dumps(event))
        await asyncio.sleep(0)

    async def place_bid(self, bidder: str, amount: int) -> bool:
        lot = self.lots[self.current]
        with self.book_lock:  # bug: ADC102
            if amount <= lot.high_bid:
                return False
            lot.high_bid, lot.high_bidder = amount, bidder
            lot.history.append((time.time(), bidder, amount))
            await self.announce({"type": "bid", "lot": lot.lot_no, "amount": amount, "bidder": bidder})
        return True

    async def fair_warning(self, lot_no: int, after: float) -> None:
        await asyncio.sleep(after)
        await self.announce({"type": "fair_warning", "lot": lot_no})

    def schedule_warning(self, lot_no: int) -> None:
        task = asyncio.create_task(self.fair_warning(lot_no, 20))
        self._timers.add(task)
        task.add_done_callback(self._timers.discard)

    async def handler(self, ws: ServerConnection) -> None:
        self.clients.add(ws)
        asyncio.create_task(self.announce({"type": "joined", "count": len(self.clients)}))  # bug: ADC301
        try:
            async for raw in ws:
                msg = json.loads(raw)
                if msg.get("type") == "bid":
                    accepted = await self.place_bid(msg["paddle"], int(msg["amount"]))
                    await ws.send(json.dumps({"type": "ack", "accepted": accepted}))
                    if accepted:
                        self.schedule_warning(self.current)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.clients.discard(ws)


def clerk_export(room: Room, stop: threading.Event) -> None:
    while not stop.wait(5):
        with open("/var/lib/auction/book.json", "w") as fh:
            json.dump(room.export_book(), fh)


def load_lots(path: str = "/etc/auction/lots.json") -> list[Lot]:
    with open(path) as fh:
        return [Lot(**d) for d in json.load(fh)]


async def main(lots: list[Lot]) -> None:
    room = Room(lots)
    stop = threading.Event()
    threading.Thread(target=clerk_export, args=(room, stop), daemon=True).start()
    try:
        async with serve(room.handler, "0.0.0.0", 8765) as server:
            await server.serve_forever()
    finally:
        stop.set()


if __name__ == "__main__":
    asyncio.run(main(load_lots()))
