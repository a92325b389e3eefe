"""Flag and alert hub for the lifeguard towers on Longstrand beach.

Towers send flag changes and alerts over a websocket; the info boards at
the beach entrances and the duty officer's phone are kept up to date. A
flag expires after two hours unless the tower confirms it again.
"""
import asyncio
import json
import logging
import os
import signal

import httpx
import websockets

log = logging.getLogger("longstrand")
FLAG_TTL = 2 * 3600
BUOY_API = "https://marine.met-service.example/api/buoys/62091/latest"
SMS_API = "https://sms.gateway.example/v1/messages"


class Hub:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.flags: dict[str, str] = {}
        self.expiry: dict[str, asyncio.TimerHandle] = {}
        self.boards: set = set()
        self.sea: dict = {}
        self._sms: set[asyncio.Task] = set()

    def state(self) -> str:
        return json.dumps({"flags": self.flags, "sea": self.sea})

    def push(self) -> None:
        websockets.broadcast(self.boards, self.state())

    def _expire_flag(self, tower: str) -> None:
        self.expiry.pop(tower, None)
        if self.flags.pop(tower, None) is not None:
            log.info("flag at %s expired", tower)
            self.push()

    def set_flag(self, tower: str, flag: str) -> None:
        self.flags[tower] = flag
        if (old := self.expiry.pop(tower, None)) is not None:
            old.cancel()
        self.expiry[tower] = asyncio.get_running_loop().call_later(FLAG_TTL, self._expire_flag, tower)
        self.push()

    async def text_duty_officer(self, text: str) -> None:
        body = {"to": os.environ["DUTY_PHONE"], "body": text}
        resp = await self.http.post(SMS_API, json=body, auth=("longstrand", os.environ["SMS_KEY"]))
        resp.raise_for_status()

    def alert(self, tower: str, kind: str, detail: str) -> None:
        task = asyncio.create_task(self.text_duty_officer(f"{tower}: {kind.upper()} {detail}"))
        self._sms.add(task)
        task.add_done_callback(self._sms.discard)

    async def tower(self, ws) -> None:
        name = ws.request.path.rsplit("/", 1)[-1]
        async for raw in ws:
            event = json.loads(raw)
            if event["type"] == "flag":
                self.set_flag(name, event["flag"])
            elif event["type"] in {"rip", "lost_child", "first_aid"}:
                self.alert(name, event["type"], event.get("detail", ""))
            await ws.send(json.dumps({"ack": event.get("id")}))

    async def board(self, ws) -> None:
        self.boards.add(ws)
        try:
            await ws.send(self.state())
            await ws.wait_closed()
        finally:
            self.boards.discard(ws)

    async def route(self, ws) -> None:
        if ws.request.path.startswith("/tower/"):
            await self.tower(ws)
        else:
            await self.board(ws)

    async def sea_state(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                resp = await self.http.get(BUOY_API, headers={"X-Api-Key": os.environ["MET_KEY"]})
                resp.raise_for_status()
                data = resp.json()
                self.sea = {"wave_m": data["wave_height"], "water_c": data["water_temp"]}
                self.push()
            except httpx.HTTPError as exc:
                log.warning("buoy: %s", exc)
            try:
                await asyncio.wait_for(stop.wait(), timeout=600)
            except TimeoutError:
                pass


async def main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with httpx.AsyncClient(timeout=10) as http:
        hub = Hub(http)
        sea = asyncio.create_task(hub.sea_state(stop))
        try:
            async with websockets.serve(hub.route, "0.0.0.0", 8710):
                await stop.wait()
        except asyncio.CancelledError:
            log.info("cancelled; closing down")
            raise
        finally:
            stop.set()
            await sea
            for handle in hub.expiry.values():
                handle.cancel()
            await asyncio.gather(*hub._sms, return_exceptions=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
