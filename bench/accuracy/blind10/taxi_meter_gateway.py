"""In-cab gateway for a taxi co-operative: reads the fare meter's serial
events, buffers trip records, and forwards them to the dispatch office over a
websocket that survives tunnels and dead zones. The panic button is wired to
a GPIO line watched by its own thread."""
import asyncio
import contextlib
import json
import logging
import signal
import threading

import serial_asyncio
import websockets
from gpiozero import LED, Button

log = logging.getLogger("meter")

METER_PORT = "/dev/ttyS1"
DISPATCH = "wss://dispatch.cabcoop.example/cabs/ws"
CAB_ID = "CAB-217"


class Gateway:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.outbox: asyncio.Queue[dict] = asyncio.Queue(maxsize=5000)
        self.connected = asyncio.Event()
        self.panic = asyncio.Event()
        self.stop = asyncio.Event()
        self.thread_stop = threading.Event()
        self.roof_light = LED(20)
        self.button = Button(21, pull_up=True, hold_time=2)
        self.button.when_held = self._on_held  # gpiozero calls this on its own thread
        self._unsent: dict | None = None
        self._bg: set[asyncio.Task] = set()

    def _on_held(self) -> None:
        self.loop.call_soon_threadsafe(self.panic.set)

    def kick_watchdog(self) -> None:
        with open("/dev/watchdog", "wb", buffering=0) as wd:
            while not self.thread_stop.wait(10):
                wd.write(b"\0")
            wd.write(b"V")  # magic close: the gateway is stopping on purpose

    async def read_meter(self) -> None:
        reader, writer = await serial_asyncio.open_serial_connection(url=METER_PORT, baudrate=4800)
        try:
            while True:
                line = (await reader.readline()).decode("ascii", "ignore").strip()
                if not line:
                    continue
                # "HIRED", "FARE 12.40 3.2", "STOP 18.90 5.1 2"
                kind, *vals = line.split()
                if kind in ("HIRED", "STOP"):
                    await self.outbox.put({"cab": CAB_ID, "event": kind.lower(), "vals": vals})
        finally:
            writer.close()

    async def forward(self) -> None:
        backoff = 1
        while True:
            try:
                async with websockets.connect(DISPATCH, additional_headers={"X-Cab": CAB_ID}) as ws:
                    self.connected.set()
                    backoff = 1
                    while True:
                        # trips must arrive in meter order: resend the unsent one first
                        self._unsent = self._unsent or await self.outbox.get()
                        await ws.send(json.dumps(self._unsent))
                        self._unsent = None
            except (OSError, websockets.ConnectionClosed):
                self.connected.clear()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30)
            except asyncio.CancelledError:
                log.info("forwarder stopping with %d records buffered", self.outbox.qsize())
                raise

    async def on_panic(self) -> None:
        while True:
            await self.panic.wait()
            self.panic.clear()
            if not self.connected.is_set():
                self.roof_light.blink(on_time=0.3, off_time=0.3)  # covert signal while offline
            t = asyncio.create_task(self.outbox.put({"cab": CAB_ID, "event": "panic"}))
            self._bg.add(t)
            t.add_done_callback(self._bg.discard)


async def main() -> None:
    loop = asyncio.get_running_loop()
    gw = Gateway(loop)
    loop.add_signal_handler(signal.SIGTERM, gw.stop.set)
    threading.Thread(target=gw.kick_watchdog, name="watchdog", daemon=True).start()
    tasks = [asyncio.create_task(c) for c in (gw.read_meter(), gw.forward(), gw.on_panic())]
    await gw.stop.wait()
    gw.thread_stop.set()
    for t in tasks:
        t.cancel()
    for t in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await t


if __name__ == "__main__":
    asyncio.run(main())
