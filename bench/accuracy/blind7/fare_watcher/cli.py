"""Entry points: `fare-watcher run routes.toml` and `fare-watcher history out.csv`."""
import asyncio
import csv
import os
import signal
import sys
import tomllib

import requests

from .amadeus_api import Route, make_client
from .watcher import FareWatcher


def load_routes(path: str) -> list[Route]:
    with open(path, "rb") as fh:
        cfg = tomllib.load(fh)
    return [Route(r["from"], r["to"], r["date"], float(r["max_eur"])) for r in cfg["routes"]][:25]


async def _run(watcher: FareWatcher) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await watcher.run(stop)


def export_history(out_path: str) -> None:
    """Sync command: dump the price history kept by the team's dashboard."""
    resp = requests.get("https://fares-dashboard.internal/api/history", timeout=30)
    resp.raise_for_status()
    with open(out_path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["route", "date", "price"])
        writer.writerows((row["route"], row["date"], row["price"]) for row in resp.json())


def main() -> None:
    command, arg = sys.argv[1], sys.argv[2]
    if command == "history":
        export_history(arg)
        return
    client = make_client(os.environ["AMADEUS_ID"], os.environ["AMADEUS_SECRET"])
    watcher = FareWatcher(client, load_routes(arg), os.environ["TG_TOKEN"], os.environ["TG_CHAT"])
    asyncio.run(_run(watcher))
