"""Live online auction for an orchid society's spring plant sale.

Members bid from their phones over a websocket. Lots are sold one after
another; each lot closes 30 seconds after the last bid. Bids on the lot
are taken in arrival order under one lock, and every accepted bid is
written to the database before it is announced.
"""
import asyncio
import json
import logging
import os

import asyncpg
import websockets
from websockets.asyncio.server import ServerConnection, serve

log = logging.getLogger("orchid-auction")

DB_DSN = os.environ.get("AUCTION_DSN", "postgresql://auction@localhost/spring_sale")
CLOSE_AFTER_S = 30


class Auction:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.bidders: set[ServerConnection] = set()
        self.bid_lock = asyncio.Lock()
        self.lot: dict | None = None
        self.high: tuple[int, str] | None = None
        self.lot_closed = asyncio.Event()
        self._closer: asyncio.TimerHandle | None = None

    def announce(self, message: dict) -> None:
        websockets.broadcast(self.bidders, json.dumps(message, default=str))

    def _arm_closer(self) -> None:
        if self._closer is not None:
            self._closer.cancel()
        self._closer = asyncio.get_running_loop().call_later(CLOSE_AFTER_S, self.lot_closed.set)

    async def bid(self, member: str, amount: int) -> str:
        async with self.bid_lock:
            if self.lot is None or self.lot_closed.is_set():
                return "no lot open"
            floor = self.high[0] + self.lot["increment"] if self.high else self.lot["reserve"]
            if amount < floor:
                return f"minimum bid is {floor}"
            await self.pool.execute(
                "INSERT INTO bids (lot_id, member, amount, at) VALUES ($1, $2, $3, now())",
                self.lot["id"], member, amount,
            )
            self.high = (amount, member)
            self._arm_closer()
            lot_id = self.lot["id"]
        self.announce({"type": "bid", "lot": lot_id, "amount": amount, "member": member[:3] + "***"})
        return "accepted"

    async def run_lots(self) -> None:
        lots = await self.pool.fetch("SELECT id, name, reserve, increment FROM lots WHERE sold_to IS NULL ORDER BY number")
        for lot in lots:
            async with self.bid_lock:
                self.lot, self.high = dict(lot), None
                self.lot_closed.clear()
                self._arm_closer()
            self.announce({"type": "lot", **self.lot})
            await self.lot_closed.wait()
            async with self.bid_lock:
                if self.high:
                    await self.pool.execute(
                        "UPDATE lots SET sold_to = $2, price = $3 WHERE id = $1", lot["id"], self.high[1], self.high[0]
                    )
                self.announce({"type": "sold" if self.high else "unsold", "lot": lot["id"]})
        self.announce({"type": "sale-over"})

    async def handler(self, ws: ServerConnection) -> None:
        member = ws.request.headers.get("X-Member-Id", "")
        if not member:
            await ws.close(code=4401, reason="member id required")
            return
        self.bidders.add(ws)
        try:
            async for raw in ws:
                msg = json.loads(raw)
                if msg.get("type") == "bid":
                    result = await self.bid(member, int(msg["amount"]))
                    await ws.send(json.dumps({"type": "bid-result", "result": result}))
        finally:
            self.bidders.discard(ws)


async def main() -> None:
    pool = await asyncpg.create_pool(DB_DSN, max_size=4)
    auction = Auction(pool)
    try:
        async with serve(auction.handler, "0.0.0.0", 8443):
            async with asyncio.TaskGroup() as tg:
                tg.create_task(auction.run_lots())
            log.info("sale over, closing in a minute")
            await asyncio.sleep(60)
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
