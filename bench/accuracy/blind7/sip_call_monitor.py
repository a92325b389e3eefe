"""Watch Asterisk calls over ARI and flag calls that run too long.

Long-running daemon. SIGHUP reloads the thresholds, SIGTERM stops it.
"""
import asyncio
import contextlib
import json
import logging
import signal
from time import monotonic, sleep

import aiohttp
import yaml

log = logging.getLogger("callmon")

ARI_WS = "ws://pbx.internal:8088/ari/events?app=callmon&subscribeAll=true"


def load_config(path):
    with open(path) as fh:
        return yaml.safe_load(fh)


class CallMonitor:
    def __init__(self, cfg_path, cfg):
        self.cfg_path = cfg_path
        self.cfg = cfg
        self.active = {}
        self.flagged = set()
        self.stopping = asyncio.Event()

    async def reload_config(self):
        self.cfg = await asyncio.to_thread(load_config, self.cfg_path)
        log.info("thresholds reloaded: %s", self.cfg["max_call_seconds"])

    async def handle(self, event):
        kind = event["type"]
        chan = event.get("channel", {})
        if kind == "StasisStart":
            self.active[chan["id"]] = monotonic()
        elif kind == "ChannelDestroyed":
            self.active.pop(chan["id"], None)
            self.flagged.discard(chan["id"])

    async def sweep(self, http):
        while True:
            limit = self.cfg["max_call_seconds"]
            now = monotonic()
            overdue = [c for c, started in self.active.items()
                       if now - started > limit and c not in self.flagged]
            if overdue:
                self.flagged.update(overdue)
                async with http.post(self.cfg["alert_webhook"], json={"channels": overdue}) as resp:
                    if resp.status >= 400:
                        log.warning("alert webhook answered %s", resp.status)
            await asyncio.sleep(15)

    async def consume(self, http):
        async with http.ws_connect(ARI_WS, heartbeat=30) as ws:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                await self.handle(json.loads(msg.data))

    async def run(self):
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self.reload_config)  # bug: ADC202
        auth = aiohttp.BasicAuth("callmon", self.cfg["ari_password"])
        attempt = 0
        async with aiohttp.ClientSession(auth=auth) as http:
            sweeper = asyncio.create_task(self.sweep(http))
            try:
                while not self.stopping.is_set():
                    consumer = asyncio.create_task(self.consume(http))
                    stop = asyncio.create_task(self.stopping.wait())
                    done, _ = await asyncio.wait({consumer, stop}, return_when=asyncio.FIRST_COMPLETED)
                    for t in (consumer, stop):
                        t.cancel()
                    await asyncio.gather(consumer, stop, return_exceptions=True)
                    if consumer in done and consumer.exception() is not None:
                        attempt += 1
                        delay = min(30, 2 ** attempt)
                        log.warning("ARI connection lost (%s), retry in %ss", consumer.exception(), delay)
                        sleep(delay)  # bug: ADC101
                    else:
                        attempt = 0
            finally:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    path = "/etc/callmon.yaml"
    asyncio.run(CallMonitor(path, load_config(path)).run())
