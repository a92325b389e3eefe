"""Postcode lookups (postcodes.io).

`lookup_sync` is for the venue importer, a command-line script run by the
logistics team with no event loop of its own.
"""
import asyncio
import csv

import httpx

POSTCODES = "https://api.postcodes.io/postcodes"


async def lookup(postcode: str, client: httpx.AsyncClient | None = None) -> tuple[float, float]:
    if client is None:
        async with httpx.AsyncClient(timeout=10) as own:
            return await lookup(postcode, own)
    resp = await client.get(f"{POSTCODES}/{postcode.replace(' ', '')}")
    resp.raise_for_status()
    result = resp.json()["result"]
    return result["latitude"], result["longitude"]


def lookup_sync(postcode: str) -> tuple[float, float]:
    return asyncio.run(lookup(postcode))


def import_venues_csv(path: str) -> list[dict]:
    venues = []
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            lat, lon = lookup_sync(row["postcode"])
            venues.append({**row, "lat": lat, "lon": lon})
    return venues
