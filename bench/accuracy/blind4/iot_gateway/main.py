from __future__ import annotations

import asyncio
import logging
import os
import tomllib

import aiomqtt

from .devices import Fleet, Meter
from .uplink import Uplink

log = logging.getLogger("gateway")


def load_config(path: str) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


async def run(cfg: dict) -> None:
    fleet = Fleet([Meter(**m) for m in cfg["meters"]])
    will = aiomqtt.Will(f"{cfg['site']}/status", "offline", retain=True)
    try:
        async with aiomqtt.Client(cfg["broker"], will=will) as client:
            uplink = Uplink(client, cfg["site"])
            asyncio.create_task(uplink.heartbeat())  # bug: ADC301
            while True:
                snap = await fleet.snapshot()
                await uplink.publish_snapshot(snap)
                await asyncio.sleep(cfg.get("interval", 10))
    finally:
        fleet.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    cfg = load_config(os.environ.get("GATEWAY_CONFIG", "/etc/gateway.toml"))
    asyncio.run(run(cfg))


if __name__ == "__main__":
    main()
