"""Geofence worker: tags scooter positions with the city zone they are in
(no-parking, slow zone, ...) and publishes zone changes.

Subscribes to a NATS JetStream durable consumer.
"""
import asyncio
import json
import logging
import signal

import httpx
import nats
from nats.js.api import ConsumerConfig
from shapely.geometry import Point, shape

log = logging.getLogger("geofence")

ZONES_URL = "https://city-ops.example/api/zones.geojson"


class GeofenceWorker:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.zones: list[tuple[str, object]] = []
        self.last_zone: dict[str, str | None] = {}
        self.inflight = 0
        self.stop = asyncio.Event()

    async def refresh_zones(self) -> None:
        while not self.stop.is_set():
            resp = await self.http.get(ZONES_URL)
            resp.raise_for_status()
            self.zones = [(f["properties"]["kind"], shape(f["geometry"])) for f in resp.json()["features"]]
            log.info("loaded %d zones", len(self.zones))
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=300)
            except asyncio.TimeoutError:
                pass

    async def zone_for(self, lat: float, lon: float) -> str | None:
        point = Point(lon, lat)
        for kind, polygon in self.zones:
            if polygon.contains(point):
                return kind
        return None

    async def on_position(self, msg) -> None:
        self.inflight += 1
        try:
            pos = json.loads(msg.data)
            task = asyncio.create_task(self.zone_for(pos["lat"], pos["lon"]))  # bug: ADC302
            zone = await task
            if zone != self.last_zone.get(pos["scooter_id"]):
                self.last_zone[pos["scooter_id"]] = zone
                await self.js.publish("fleet.zone_changed", json.dumps({"scooter": pos["scooter_id"], "zone": zone}).encode())
            await msg.ack()
        finally:
            self.inflight -= 1

    async def run(self) -> None:
        nc = await nats.connect("nats://nats:4222", name="geofence-worker")
        self.js = nc.jetstream()
        zones_task = asyncio.create_task(self.refresh_zones())
        sub = await self.js.subscribe(
            "fleet.positions", durable="geofence", cb=self.on_position,
            config=ConsumerConfig(max_ack_pending=2000),
        )
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        await self.stop.wait()
        await sub.unsubscribe()
        while self.inflight:  # bug: ADC503
            await asyncio.sleep(0.05)
        await zones_task
        await nc.close()


async def main() -> None:
    async with httpx.AsyncClient(timeout=20) as http:
        await GeofenceWorker(http).run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
