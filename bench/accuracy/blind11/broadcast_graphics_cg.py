"""Live graphics driver: match data feed -> CasparCG templates (AMCP over TCP) for the OB truck."""
import asyncio
import contextlib
import json
import logging

import websockets

log = logging.getLogger("cg-driver")

CASPAR = ("caspar-1.ob.lan", 5250)
FEED = "wss://feed.sportsdata.example/v1/matches/live"
SCORE_LAYER = "1-20"
LOWER_THIRD_LAYER = "1-30"


class Caspar:
    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()
        self.on_air = asyncio.Event()

    async def connect(self) -> None:
        delay = 1.0
        while True:
            try:
                self._reader, self._writer = await asyncio.open_connection(*CASPAR)
                return
            except OSError as exc:
                log.warning("CasparCG not reachable (%s), retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def command(self, line: str) -> str:
        async with self._lock:
            self._writer.write(line.encode() + b"\r\n")
            await self._writer.drain()
            reply = (await self._reader.readline()).decode().strip()
            if reply.startswith(("201", "200")):
                reply += " " + (await self._reader.readline()).decode().strip()
            if not reply[:1] == "2":
                log.error("AMCP %r -> %s", line, reply)
            return reply

    async def run_sequence(self, commands: list[str]) -> None:
        for line in commands:
            await self.command(line)


def cg(layer: str, verb: str, template: str = "", data: dict | None = None) -> str:
    payload = json.dumps(json.dumps(data)) if data is not None else ""
    return " ".join(part for part in (f"CG {layer}", verb, "1", template, "1" if verb == "ADD" else "", payload) if part)


async def follow_feed(caspar: Caspar) -> None:
    async for ws in websockets.connect(FEED, ping_interval=10):
        try:
            async for raw in ws:
                event = json.loads(raw)
                await caspar.on_air.wait()
                if event["type"] == "score":
                    await caspar.command(cg(SCORE_LAYER, "UPDATE", data={"home": event["home"], "away": event["away"]}))
                elif event["type"] == "goal":
                    await caspar.run_sequence([
                        cg(LOWER_THIRD_LAYER, "ADD", "goal_strap", {"scorer": event["player"], "minute": event["minute"]}),
                        f"MIXER {LOWER_THIRD_LAYER} OPACITY 1 12",
                    ])
        except websockets.ConnectionClosed:
            log.warning("feed dropped, reconnecting")


async def main() -> None:
    caspar = Caspar()
    await caspar.connect()
    feed = asyncio.create_task(follow_feed(caspar))
    try:
        await caspar.run_sequence([
            "CLEAR 1",
            cg(SCORE_LAYER, "ADD", "scorebug", {"home": 0, "away": 0}),
            f"MIXER {SCORE_LAYER} FILL 0.05 0.05 0.3 0.3",
        ])
        caspar.on_air.set()
        await feed
    finally:
        feed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feed
        await caspar.close()


if __name__ == "__main__":
    asyncio.run(main())
