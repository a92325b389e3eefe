"""Service entry point: configuration is read once, before the event loop starts."""

import asyncio
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import aiohttp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config:
    upstream: str
    token: str
    interval: float


def load_config(path: str | None = None) -> Config:
    path = path or os.environ.get("APP_CONFIG", "config.json")
    data = json.loads(Path(path).read_text())
    secret_file = data.get("token_file")
    token = open(secret_file).read().strip() if secret_file else os.environ["APP_TOKEN"]
    return Config(data["upstream"], token, float(data.get("interval", 60)))


async def sync_once(session: aiohttp.ClientSession, cfg: Config) -> int:
    async with session.post(f"{cfg.upstream}/sync", headers={"X-Token": cfg.token}) as resp:
        return resp.status


async def main(cfg: Config) -> None:
    async with aiohttp.ClientSession() as session:
        while True:
            status = await sync_once(session, cfg)
            log.info("sync finished with %s", status)
            await asyncio.sleep(cfg.interval)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(load_config()))
