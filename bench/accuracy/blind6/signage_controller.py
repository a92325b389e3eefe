"""Digital signage controller: kiosks connect over websockets and get playlists."""
import asyncio
import json
import logging

import websockets
from websockets.asyncio.server import ServerConnection, serve

log = logging.getLogger("signage")

CMS_EVENTS = "wss://cms.internal/events/playlists"


class Controller:
    def __init__(self) -> None:
        self.kiosks: dict[str, ServerConnection] = {}
        self.playlists: dict[str, list[dict]] = {}
        self._registry_lock = asyncio.Lock()

    async def register(self, ws: ServerConnection) -> str:
        hello = json.loads(await ws.recv())
        kiosk_id = hello["kiosk_id"]
        async with self._registry_lock:
            old = self.kiosks.get(kiosk_id)
            self.kiosks[kiosk_id] = ws
        if old is not None:
            await old.close(code=4000, reason="replaced")
        return kiosk_id

    async def push_playlist(self, kiosk_id: str, playlist: list[dict]) -> None:
        ws = self.kiosks.get(kiosk_id)
        if ws is None:
            return
        push_lock = asyncio.Lock()  # bug: ADC504
        async with push_lock:
            await ws.send(json.dumps({"type": "playlist", "items": playlist}))
            ack = json.loads(await ws.recv())
            if ack.get("type") != "ack":
                log.warning("kiosk %s did not ack", kiosk_id)

    async def handler(self, ws: ServerConnection) -> None:
        kiosk_id = await self.register(ws)
        ws.send(json.dumps({"type": "welcome", "kiosk_id": kiosk_id}))  # bug: ADC201
        try:
            await self.push_playlist(kiosk_id, self.playlists.get(kiosk_id, []))
            await ws.wait_closed()
        finally:
            async with self._registry_lock:
                if self.kiosks.get(kiosk_id) is ws:
                    del self.kiosks[kiosk_id]

    async def follow_cms(self) -> None:
        cms = await websockets.connect(CMS_EVENTS, open_timeout=10)  # bug: ADC401
        async for raw in cms:
            event = json.loads(raw)
            targets = event["kiosks"]
            for kiosk_id in targets:
                self.playlists[kiosk_id] = event["items"]
            await asyncio.gather(*(self.push_playlist(k, event["items"]) for k in targets if k in self.kiosks))


async def main() -> None:
    ctl = Controller()
    async with serve(ctl.handler, "0.0.0.0", 8765):
        await ctl.follow_cms()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
