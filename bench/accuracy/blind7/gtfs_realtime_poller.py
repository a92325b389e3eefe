"""Poll the transit agency's GTFS-realtime feeds and serve a vehicle cache.

The asyncio side polls; a small http.server thread answers the legacy
departure boards, which read the cache under a lock.
"""
import asyncio
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aiohttp
from google.transit import gtfs_realtime_pb2

log = logging.getLogger("gtfsrt")

VEHICLES_URL = "https://transit.example/gtfs-rt/vehicle-positions.pb"
TRIPS_URL = "https://transit.example/gtfs-rt/trip-updates.pb"
STATIC_URL = "https://transit.example/gtfs/google_transit.zip"


def parse_feed(body: bytes) -> gtfs_realtime_pb2.FeedMessage:
    feed = gtfs_realtime_pb2.FeedMessage()
    feed.ParseFromString(body)
    return feed


async def static_feed_version(url: str) -> str | None:
    session = aiohttp.ClientSession()  # bug: ADC401
    async with session.head(url, allow_redirects=True) as resp:
        return resp.headers.get("ETag") or resp.headers.get("Last-Modified")


class VehicleCache:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self._cache_lock = threading.RLock()
        self.vehicles: dict[str, dict] = {}
        self.delays: dict[str, int] = {}

    def snapshot(self) -> dict:
        with self._cache_lock:
            return {"vehicles": list(self.vehicles.values()), "delays": dict(self.delays)}

    async def _download(self, url: str) -> gtfs_realtime_pb2.FeedMessage:
        async with self.session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as resp:
            resp.raise_for_status()
            body = await resp.read()
        return await asyncio.to_thread(parse_feed, body)

    async def refresh_vehicles(self) -> None:
        feed = await self._download(VEHICLES_URL)
        fresh = {
            e.vehicle.vehicle.id: {"trip": e.vehicle.trip.trip_id, "lat": e.vehicle.position.latitude,
                                   "lon": e.vehicle.position.longitude}
            for e in feed.entity if e.HasField("vehicle")
        }
        with self._cache_lock:
            self.vehicles = fresh

    async def refresh_delays(self) -> None:
        with self._cache_lock:  # bug: ADC102
            feed = await self._download(TRIPS_URL)
            for e in feed.entity:
                if e.HasField("trip_update") and e.trip_update.stop_time_update:
                    self.delays[e.trip_update.trip.trip_id] = e.trip_update.stop_time_update[0].arrival.delay

    async def poll_forever(self) -> None:
        while True:
            try:
                await asyncio.gather(self.refresh_vehicles(), self.refresh_delays())
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("poll failed: %s", exc)
            await asyncio.sleep(15)


def serve_boards(cache: VehicleCache) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(cache.snapshot()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer(("0.0.0.0", 8081), Handler).serve_forever()


async def main() -> None:
    log.info("static feed version %s", await static_feed_version(STATIC_URL))
    async with aiohttp.ClientSession(headers={"User-Agent": "gtfsrt-cache/2.0"}) as session:
        cache = VehicleCache(session)
        threading.Thread(target=serve_boards, args=(cache,), daemon=True).start()
        await cache.poll_forever()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
