"""Rebalancing planner for Harbourside Bikes (2,400 bikes, 310 stations).

Every ten minutes it reads the public GBFS feeds, finds the stations that
are nearly empty or nearly full, leaves out stations whose docks are mostly
broken, and sends each van its stops in the driver app.
"""
import asyncio
import logging
import os
from dataclasses import dataclass

import httpx

log = logging.getLogger("rebalance")
GBFS = "https://gbfs.harbourside-bikes.example/gbfs/en"
DOCK_VENDOR = "https://api.dockworks.example/v2"
DRIVER_APP = "https://fleet.harbourside-bikes.example/api"
LOW, HIGH = 0.15, 0.85
STOPS_PER_VAN = 8


@dataclass
class Station:
    id: str
    name: str
    capacity: int
    bikes: int

    @property
    def fill(self) -> float:
        return self.bikes / self.capacity if self.capacity else 0.0


class Planner:
    def __init__(self, client: httpx.AsyncClient, vans: list[str]) -> None:
        self.http = client
        self.vans = vans
        self.vendor_headers = {"X-Api-Key": os.environ["DOCKWORKS_KEY"]}
        self.fleet_headers = {"Authorization": f"Bearer {os.environ['FLEET_TOKEN']}"}
        self.pushes: set[asyncio.Task] = set()

    async def feed(self, name: str) -> list[dict]:
        resp = await self.http.get(f"{GBFS}/{name}.json")
        resp.raise_for_status()
        return resp.json()["data"]["stations"]

    async def stations(self) -> list[Station]:
        info, status = await asyncio.gather(self.feed("station_information"), self.feed("station_status"))
        bikes = {s["station_id"]: s["num_bikes_available"] for s in status if s["is_renting"]}
        return [
            Station(i["station_id"], i["name"], i["capacity"], bikes[i["station_id"]])
            for i in info
            if i["station_id"] in bikes
        ]

    async def broken_docks(self, station_id: str) -> int:
        url = f"{DOCK_VENDOR}/stations/{station_id}/diagnostics"
        resp = await self.http.get(url, headers=self.vendor_headers)
        resp.raise_for_status()
        return sum(1 for dock in resp.json()["docks"] if dock["fault"])

    async def open_jobs(self) -> list[dict]:
        jobs, cursor = [], None
        while True:
            params = {"status": "open", **({"cursor": cursor} if cursor else {})}
            resp = await self.http.get(f"{DRIVER_APP}/jobs", params=params, headers=self.fleet_headers)
            resp.raise_for_status()
            page = resp.json()
            jobs.extend(page["items"])
            cursor = page.get("next")
            if not cursor:
                return jobs

    async def push_route(self, van: str, stops: list[dict]) -> None:
        url = f"{DRIVER_APP}/vans/{van}/route"
        resp = await self.http.put(url, json={"stops": stops}, headers=self.fleet_headers)
        resp.raise_for_status()
        log.info("van %s: %d stops", van, len(stops))

    async def page_supervisor(self, names: list[str]) -> None:
        text = "Empty hub stations: " + ", ".join(names)
        resp = await self.http.post(f"{DRIVER_APP}/pages/supervisor", json={"text": text}, headers=self.fleet_headers)
        resp.raise_for_status()

    async def plan_once(self) -> None:
        stations = await self.stations()
        busy = {job["station_id"] for job in await self.open_jobs()}
        unbalanced = [s for s in stations if (s.fill < LOW or s.fill > HIGH) and s.id not in busy]
        usable = []
        for station in unbalanced:
            broken = await self.broken_docks(station.id)  # bug: ADC501
            if broken < station.capacity // 2:
                usable.append(station)
        usable.sort(key=lambda s: abs(s.fill - 0.5), reverse=True)
        for i, van in enumerate(self.vans):
            mine = usable[i :: len(self.vans)][:STOPS_PER_VAN]
            stops = [{"station": s.id, "bikes": round(s.capacity / 2) - s.bikes} for s in mine]
            if stops:
                task = asyncio.create_task(self.push_route(van, stops))
                self.pushes.add(task)
                task.add_done_callback(self.pushes.discard)
        empty_hubs = [s.name for s in usable if s.bikes == 0 and s.capacity >= 40]
        if empty_hubs:
            asyncio.create_task(self.page_supervisor(empty_hubs))  # bug: ADC301


async def main() -> None:
    vans = os.environ.get("VANS", "VAN-1,VAN-2,VAN-3").split(",")
    async with httpx.AsyncClient(timeout=15) as client:
        planner = Planner(client, vans)
        while True:
            try:
                await planner.plan_once()
            except httpx.HTTPError:
                log.exception("planning round failed")
            await asyncio.sleep(600)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
