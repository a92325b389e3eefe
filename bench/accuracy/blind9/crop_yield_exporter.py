"""Prometheus exporter: yield-monitor and soil-probe metrics for an arable farm."""
from __future__ import annotations

import asyncio
import logging
import os
import time

import httpx
from prometheus_client import Gauge, start_http_server

log = logging.getLogger("yieldexp")
OPS_API = "https://ops.farmcloud.example/v3"
PROBE_API = "https://api.soilprobe.example/v1"
GRAPHITE = ("graphite.farm.lan", 2003)
CYCLE_S = 600

YIELD = Gauge("field_yield_t_ha", "Harvested yield, t/ha", ["field", "crop"])
MOISTURE = Gauge("field_soil_moisture_pct", "Volumetric water content", ["field", "depth_cm"])
LAST_OK = Gauge("yield_exporter_last_success_unixtime", "Last successful cycle")


async def list_fields(client: httpx.AsyncClient, org: str) -> list[dict]:
    fields, url = [], f"/organizations/{org}/fields"
    while url:
        resp = await client.get(url)
        resp.raise_for_status()
        page = resp.json()
        fields += page["values"]
        url = next((l["uri"] for l in page["links"] if l["rel"] == "nextPage"), None)
    return fields


async def probe_readings(field_id: str, limit: asyncio.Semaphore) -> list[dict]:
    async with limit:
        async with httpx.AsyncClient(base_url=PROBE_API, timeout=20,  # bug: ADC402
                                     headers={"X-Key": os.environ["PROBE_KEY"]}) as client:
            resp = await client.get(f"/fields/{field_id}/latest")
            resp.raise_for_status()
            return resp.json()["readings"]


async def ship_to_graphite(lines: list[str]) -> None:
    reader, writer = await asyncio.open_connection(*GRAPHITE)  # bug: ADC401
    writer.write("".join(lines).encode())
    await writer.drain()


async def cycle(org: str) -> None:
    # one client per ten-minute cycle
    async with httpx.AsyncClient(base_url=OPS_API, timeout=30,
                                 headers={"Authorization": f"Bearer {os.environ['OPS_TOKEN']}"}) as client:
        fields = await list_fields(client, org)
        resp = await client.get(f"/organizations/{org}/harvestSummaries")
        resp.raise_for_status()
        summaries = {s["fieldId"]: s for s in resp.json()["values"]}
    limit = asyncio.Semaphore(6)
    readings = await asyncio.gather(*(probe_readings(f["id"], limit) for f in fields))
    now = int(time.time())
    lines = []
    for f, rs in zip(fields, readings):
        if f["id"] in summaries:
            s = summaries[f["id"]]
            YIELD.labels(f["name"], s["crop"]).set(s["yieldTPerHa"])
            lines.append(f"farm.{f['name']}.yield {s['yieldTPerHa']} {now}\n")
        for r in rs:
            MOISTURE.labels(f["name"], str(r["depth"])).set(r["vwc"])
    await ship_to_graphite(lines)
    LAST_OK.set(now)


async def main(org: str) -> None:
    while True:
        started = time.monotonic()
        try:
            await cycle(org)
        except httpx.HTTPError:
            log.exception("cycle failed")
        await asyncio.sleep(max(CYCLE_S - (time.monotonic() - started), 30))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    start_http_server(9512)
    asyncio.run(main(os.environ["FARM_ORG"]))
