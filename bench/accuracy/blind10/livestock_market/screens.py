"""Live lot screens around the ring and in the café (websockets)."""
import json

import websockets


class Screens:
    def __init__(self, redis):
        self.redis = redis
        self.clients: set = set()

    async def handler(self, ws) -> None:
        self.clients.add(ws)
        try:
            current = await self.redis.get("ring:current")
            if current:
                await ws.send(current)
            await ws.wait_closed()
        finally:
            self.clients.discard(ws)

    async def push_lot(self, lot: dict, kg: float) -> None:
        msg = json.dumps({"type": "lot", "lot": lot["lot_no"], "breed": lot["breed"], "sex": lot["sex"], "kg": kg})
        await self.redis.set("ring:current", msg, ex=3600)
        websockets.broadcast(self.clients, msg)

    async def push_price(self, lot_no: int, pence_per_kg: int, buyer: str) -> None:
        msg = json.dumps({"type": "sold", "lot": lot_no, "ppk": pence_per_kg, "buyer": buyer})
        await self.redis.rpush("ring:results", msg)
        websockets.broadcast(self.clients, msg)
