"""Level-1 market data feed: subscribe to trades/quotes and fan them out to strategies."""
import asyncio
import json
import logging
from typing import Callable

import websockets

log = logging.getLogger("feed")

FEED_URL = "wss://stream.example-exchange.com/v2/marketdata"


class FeedHandler:
    def __init__(self, symbols: list[str], api_key: str) -> None:
        self.symbols = symbols
        self.api_key = api_key
        self.listeners: list[Callable[[dict], None]] = []
        self.connected = asyncio.Event()
        self._ws = None

    def on_tick(self, fn: Callable[[dict], None]) -> None:
        self.listeners.append(fn)

    async def _authenticate(self, ws) -> None:
        await ws.send(json.dumps({"action": "auth", "key": self.api_key}))
        reply = json.loads(await ws.recv())
        if reply.get("status") != "authorized":
            raise PermissionError(reply)

    def subscribe_more(self, symbols: list[str]) -> None:
        self.symbols.extend(symbols)
        if self._ws is not None:
            self._ws.send(json.dumps({"action": "subscribe", "trades": symbols}))  # bug: ADC201

    async def _consume(self, ws) -> None:
        async for raw in ws:
            for event in json.loads(raw):
                for fn in self.listeners:
                    fn(event)

    async def run(self) -> None:
        backoff = 1.0
        while True:
            try:
                async with websockets.connect(FEED_URL, ping_interval=15) as ws:
                    await self._authenticate(ws)
                    await ws.send(json.dumps({"action": "subscribe", "trades": self.symbols, "quotes": self.symbols}))
                    self._ws = ws
                    self.connected.set()
                    backoff = 1.0
                    await self._consume(ws)
            except websockets.ConnectionClosed as exc:
                log.warning("feed closed (%s), reconnecting in %.0fs", exc.code, backoff)
            except:  # bug: ADC601
                log.exception("feed error, reconnecting in %.0fs", backoff)
            finally:
                self._ws = None
                self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)


async def main() -> None:
    feed = FeedHandler(["AAPL", "MSFT", "NVDA"], api_key="demo")
    feed.on_tick(lambda e: log.debug("%s", e))
    runner = asyncio.create_task(feed.run())
    await asyncio.wait_for(feed.connected.wait(), timeout=10)
    try:
        await runner
    except asyncio.CancelledError:
        log.info("feed stopped")
        raise


if __name__ == "__main__":
    asyncio.run(main())
