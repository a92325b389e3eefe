"""Kitchen display system: pushes POS orders to the screens on each station.

aiohttp app; screens connect to /ws/{station}, the POS posts to /orders.
"""
import asyncio
import logging
from collections import defaultdict

from aiohttp import WSMsgType, web

log = logging.getLogger("kds")

BUMP_AFTER = 20 * 60  # seconds before an unbumped ticket turns red


async def escpos_print(printer: str, lines: list[str]) -> None:
    reader, writer = await asyncio.open_connection(printer, 9100)
    try:
        writer.write(b"\x1b@" + "\n".join(lines).encode("cp437", "replace") + b"\n\n\x1dV\x00")
        await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


def print_ticket(order: dict) -> None:
    """Kept from the old Flask KDS, where it was called from sync views."""
    loop = asyncio.get_event_loop()
    loop.run_until_complete(escpos_print(order["printer"], order["lines"]))


class Kds:
    def __init__(self) -> None:
        self.screens: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self.orders: dict[str, dict] = {}
        self.late_timers: dict[str, asyncio.Task] = {}

    async def broadcast(self, station: str, payload: dict) -> None:
        screens = list(self.screens[station])
        await asyncio.gather(*(ws.send_json(payload) for ws in screens), return_exceptions=True)

    async def mark_late(self, order_id: str) -> None:
        await asyncio.sleep(BUMP_AFTER)
        order = self.orders.get(order_id)
        if order:
            await self.broadcast(order["station"], {"type": "late", "id": order_id})

    async def refresh_eta(self, order_id: str) -> None:
        await asyncio.sleep(60)
        if order_id in self.orders:
            await self.broadcast("expo", {"type": "eta", "id": order_id})

    async def ws_handler(self, request: web.Request) -> web.WebSocketResponse:
        station = request.match_info["station"]
        ws = web.WebSocketResponse(heartbeat=15)
        await ws.prepare(request)
        self.screens[station].add(ws)
        try:
            await ws.send_json({"type": "snapshot", "orders": [o for o in self.orders.values() if o["station"] == station]})
            async for msg in ws:
                if msg.type == WSMsgType.TEXT and msg.json().get("type") == "bump":
                    order_id = msg.json()["id"]
                    self.orders.pop(order_id, None)
                    timer = self.late_timers.pop(order_id, None)
                    if timer:
                        timer.cancel()
        finally:
            self.screens[station].discard(ws)
        return ws

    async def new_order(self, request: web.Request) -> web.Response:
        order = await request.json()
        self.orders[order["id"]] = order
        await self.broadcast(order["station"], {"type": "order", "order": order})
        self.late_timers[order["id"]] = asyncio.create_task(self.mark_late(order["id"]))
        asyncio.create_task(self.refresh_eta(order["id"]))  # bug: ADC301
        return web.json_response({"ok": True}, status=201)

    async def recall(self, request: web.Request) -> web.Response:
        order_id = request.match_info["order_id"]
        order = self.orders.get(order_id)
        if order is None:
            raise web.HTTPNotFound()
        for ws in self.screens["expo"]:
            ws.send_json({"type": "recall", "order": order})  # bug: ADC201
        return web.json_response({"ok": True})

    async def reprint(self, request: web.Request) -> web.Response:
        order = self.orders[request.match_info["order_id"]]
        print_ticket(order)  # bug: ADC103
        return web.json_response({"printed": True})


def make_app() -> web.Application:
    kds = Kds()
    app = web.Application()
    app.add_routes([
        web.get("/ws/{station}", kds.ws_handler),
        web.post("/orders", kds.new_order),
        web.post("/orders/{order_id}/recall", kds.recall),
        web.post("/orders/{order_id}/reprint", kds.reprint),
    ])
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(), port=8090)
