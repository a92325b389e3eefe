# Bridges a threaded legacy SDK (callbacks on its own threads) into asyncio.
# Runs on Python 3.7+ and still uses the explicit-loop style of the original code.
import asyncio
import logging
import threading
import time

import aiohttp

from vendor_sdk import DeviceClient  # calls our callbacks from its own threads

log = logging.getLogger("bridge")


class Bridge(object):
    def __init__(self, loop, session, endpoint):
        self.loop = loop
        self.session = session
        self.endpoint = endpoint
        self.sent = 0

    async def forward(self, reading):
        async with self.session.post(self.endpoint, json=reading) as r:
            r.raise_for_status()
        self.sent += 1

    def on_reading(self, reading):
        # SDK thread -> event loop; wait here so the SDK applies back-pressure
        fut = asyncio.run_coroutine_threadsafe(self.forward(reading), self.loop)
        try:
            fut.result(timeout=10)
        except Exception as exc:
            log.warning("forward failed: %s", exc)


def sdk_thread(bridge, stop):
    client = DeviceClient("10.1.1.50")
    client.on_reading = bridge.on_reading
    client.connect()
    while not stop.is_set():
        client.poll()
        time.sleep(0.2)
    client.disconnect()


async def run(loop, stop):
    async with aiohttp.ClientSession() as session:
        bridge = Bridge(loop, session, "https://ingest.example.net/readings")
        worker = threading.Thread(target=sdk_thread, args=(bridge, stop), daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                log.info("forwarded %d readings", bridge.sent)
                await asyncio.sleep(60)
        finally:
            stop.set()
            await loop.run_in_executor(None, worker.join)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    loop = asyncio.get_event_loop()
    try:
        loop.run_until_complete(run(loop, stop))
    except KeyboardInterrupt:
        stop.set()
    finally:
        loop.close()
