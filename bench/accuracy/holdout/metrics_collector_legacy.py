# Host metrics collector.  Written for Python 3.6 and still started the old way.
import asyncio
import json
import logging
import socket
import urllib.request

import aiohttp

log = logging.getLogger("collector")

CONFIG_URL = "http://config.internal/collector.json"
NODE_EXPORTER = "http://127.0.0.1:9100/metrics"
PROCESS_EXPORTER = "http://127.0.0.1:9256/metrics"


async def heartbeat():
    while True:
        log.debug("collector alive")
        await asyncio.sleep(30)


async def fetch_config():
    with urllib.request.urlopen(CONFIG_URL, timeout=5) as fh:  # bug: ADC101
        return json.load(fh)


async def scrape(session, url):
    async with session.get(url) as r:
        r.raise_for_status()
        text = await r.text()
    return [line for line in text.splitlines() if line and not line.startswith("#")]


async def push(session, sink, lines):
    body = "\n".join(lines).encode()
    async with session.post(sink, data=body, headers={"Content-Type": "text/plain"}) as r:
        r.raise_for_status()


async def main(loop):
    cfg = await fetch_config()
    loop.create_task(heartbeat())  # bug: ADC301
    hostname = socket.gethostname()
    async with aiohttp.ClientSession() as session:
        while True:
            node, procs = await asyncio.gather(
                scrape(session, NODE_EXPORTER), scrape(session, PROCESS_EXPORTER)
            )
            try:
                await push(session, cfg["sink"] + "/" + hostname, node + procs)
            except aiohttp.ClientError as exc:
                log.warning("push failed: %s", exc)
            await asyncio.sleep(cfg.get("interval", 60))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    loop = asyncio.get_event_loop()
    try:
        loop.run_until_complete(main(loop))
    except KeyboardInterrupt:
        pass
    finally:
        loop.close()
