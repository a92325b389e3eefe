"""ADS-B aggregator for a gliding club's flight-following map.

Several dump1090 receivers around the airfield stream SBS-1 (BaseStation)
lines on port 30003. Aircraft are merged into one table, which the legacy
Flask map (running in a thread) reads; new airframes are looked up once in
the club's registration service.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time

import aiohttp
from flask import Flask, jsonify
from werkzeug.serving import make_server

log = logging.getLogger("adsb")
RECEIVERS = (("ridge.local", 30003), ("hangar.local", 30003), ("valley.local", 30003))
REGISTRY = "https://registry.club.example/api/icao/"
STALE_AFTER = 60


class Aggregator:
    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None
        self.table_lock = threading.Lock()
        self.aircraft: dict[str, dict] = {}

    def snapshot(self) -> list[dict]:
        cutoff = time.time() - STALE_AFTER
        with self.table_lock:
            return [dict(a, icao=k) for k, a in self.aircraft.items() if a["seen"] >= cutoff]

    async def registration(self, icao: str) -> str | None:
        async with self.session.get(REGISTRY + icao) as resp:
            return (await resp.json())["registration"] if resp.status == 200 else None

    async def on_line(self, line: str) -> None:
        f = line.split(",")
        if len(f) < 16 or f[0] != "MSG":
            return
        icao = f[4]
        with self.table_lock:  # bug: ADC102
            ac = self.aircraft.get(icao)
            if ac is None:
                ac = self.aircraft[icao] = {"reg": await self.registration(icao)}
            ac["seen"] = time.time()
            if f[11]:
                ac["alt_ft"] = int(f[11])
            if f[14] and f[15]:
                ac["lat"], ac["lon"] = float(f[14]), float(f[15])

    async def follow(self, host: str, port: int) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_connection(host, port)
                try:
                    while line := await reader.readline():
                        await self.on_line(line.decode("ascii", "replace").strip())
                finally:
                    writer.close()
            except asyncio.CancelledError:  # bug: ADC601
                log.info("feed %s cancelled, reconnecting", host)
            except OSError as exc:
                log.warning("feed %s down: %s", host, exc)
            await asyncio.sleep(5)


def start_map(agg: Aggregator) -> None:
    flask_app = Flask("adsbmap")
    flask_app.add_url_rule("/aircraft.json", "aircraft", lambda: jsonify(agg.snapshot()))
    server = make_server("0.0.0.0", 8088, flask_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()


async def main(agg: Aggregator) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        agg.session = session
        async with asyncio.TaskGroup() as tg:
            for host, port in RECEIVERS:
                tg.create_task(agg.follow(host, port))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    aggregator = Aggregator()
    start_map(aggregator)
    asyncio.run(main(aggregator))
