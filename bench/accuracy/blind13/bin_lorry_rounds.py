"""Nightly bin collection rounds for Ashby District Council.

New properties are geocoded (the public Nominatim server allows one request
a second, so that loop is paced on purpose), then each lorry's round is
optimised by the routing service, at most three jobs at a time under our
plan, and the rounds are pushed to the in-cab tablets.
"""
import asyncio
import logging
import os
import sys
from datetime import date, timedelta

import asyncpg
import httpx

log = logging.getLogger("rounds")
PROPERTIES_API = "https://data.ashby.gov.example/api/properties"
NOMINATIM = "https://nominatim.openstreetmap.org/search"
ROUTING = "https://routing.vrp-cloud.example/v1/jobs"
TABLETS = "https://cab.binfleet.example/api/rounds"
ROUTING_SLOTS = asyncio.Semaphore(3)


async def new_properties(http: httpx.AsyncClient, since: date) -> list[dict]:
    out, cursor = [], None
    while True:
        params = {"created_after": since.isoformat(), **({"cursor": cursor} if cursor else {})}
        resp = await http.get(PROPERTIES_API, params=params)
        resp.raise_for_status()
        page = resp.json()
        out.extend(page["results"])
        cursor = page.get("next")
        if not cursor:
            return out


async def geocode_new(http: httpx.AsyncClient, pool: asyncpg.Pool, props: list[dict]) -> int:
    found = 0
    for prop in props:
        resp = await http.get(NOMINATIM, params={"q": prop["address"], "format": "jsonv2", "limit": 1},
                              headers={"User-Agent": "ashby-rounds/1.4 (waste@ashby.gov.example)"})
        if resp.status_code == 200 and resp.json():
            hit = resp.json()[0]
            await pool.execute(
                "INSERT INTO properties (uprn, lat, lon) VALUES ($1, $2, $3) ON CONFLICT (uprn) DO NOTHING",
                prop["uprn"], float(hit["lat"]), float(hit["lon"]),
            )
            found += 1
        await asyncio.sleep(1.0)  # Nominatim usage policy: one request per second
    return found


async def with_retries(make_request, attempts: int = 4) -> httpx.Response:
    for attempt in range(attempts):
        try:
            resp = await make_request()
            if resp.status_code < 500:
                resp.raise_for_status()
                return resp
        except httpx.TransportError:
            if attempt == attempts - 1:
                raise
        await asyncio.sleep(2 ** attempt)
    resp.raise_for_status()
    return resp


async def optimise_round(http: httpx.AsyncClient, lorry: asyncpg.Record, stops: list[asyncpg.Record]) -> dict:
    problem = {
        "vehicle": {"id": lorry["reg"], "capacity_kg": lorry["payload_kg"], "depot": [lorry["lat"], lorry["lon"]]},
        "stops": [{"id": s["uprn"], "at": [s["lat"], s["lon"]], "kg": s["bin_kg"]} for s in stops],
    }
    async with ROUTING_SLOTS:
        job = (await with_retries(lambda: http.post(ROUTING, json=problem))).json()
        async with asyncio.timeout(600):
            while job["status"] in {"queued", "running"}:
                await asyncio.sleep(5)
                job = (await with_retries(lambda: http.get(f"{ROUTING}/{job['id']}"))).json()
    if job["status"] != "solved":
        raise RuntimeError(f"round for {lorry['reg']} not solved: {job['status']}")
    return {"lorry": lorry["reg"], "order": job["solution"]["order"], "km": job["solution"]["distance_km"]}


async def plan(day: date) -> None:
    pool = await asyncpg.create_pool(os.environ["ROUNDS_DSN"])
    try:
        vrp_auth = {"Authorization": f"Bearer {os.environ['VRP_TOKEN']}"}
        async with httpx.AsyncClient(timeout=30) as public, httpx.AsyncClient(timeout=30, headers=vrp_auth) as http:
            props = await new_properties(public, day - timedelta(days=1))
            log.info("geocoded %d of %d new properties", await geocode_new(public, pool, props), len(props))
            lorries = await pool.fetch("SELECT reg, payload_kg, lat, lon, zone FROM lorries WHERE in_service")
            stops = await pool.fetch(
                "SELECT uprn, lat, lon, bin_kg, zone FROM collections WHERE day = $1 AND lat IS NOT NULL", day
            )
            by_zone: dict[str, list] = {}
            for s in stops:
                by_zone.setdefault(s["zone"], []).append(s)
            rounds = await asyncio.gather(*(optimise_round(http, l, by_zone.get(l["zone"], [])) for l in lorries))
            resp = await http.put(f"{TABLETS}/{day.isoformat()}", json=rounds)
            resp.raise_for_status()
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    target = date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else date.today() + timedelta(days=1)
    asyncio.run(plan(target))
