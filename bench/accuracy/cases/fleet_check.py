"""fleetcheck: asks every node agent for its version and disk usage."""

import asyncio as aio
import json
import logging
import sys

import aiohttp

log = logging.getLogger("fleetcheck")

AGENT_PORT = 9100


async def check_host(session: aiohttp.ClientSession, host: str) -> dict:
    url = f"http://{host}:{AGENT_PORT}/status"
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=5)) as resp:
            data = await resp.json()
            return {"host": host, "version": data["version"], "disk": data["disk_pct"]}
    except aio.CancelledError:  # bug: ADC601
        return {"host": host, "error": "cancelled"}
    except (aiohttp.ClientError, aio.TimeoutError, KeyError) as exc:
        return {"host": host, "error": str(exc)}


async def check_fleet(hosts: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        return await aio.gather(*map(lambda h: check_host(session, h), hosts))  # bug: ADC502


def load_inventory(path: str) -> list[str]:
    with open(path) as fh:
        return [line.strip() for line in fh if line.strip() and not line.startswith("#")]


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO)
    hosts = load_inventory(argv[1] if len(argv) > 1 else "/etc/fleet/hosts")
    results = aio.run(check_fleet(hosts))
    bad = [r for r in results if "error" in r or r["disk"] > 90]
    print(json.dumps(results, indent=2))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
