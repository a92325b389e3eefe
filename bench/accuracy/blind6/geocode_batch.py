"""Geocode a CSV of customer addresses with the Nominatim-compatible API."""
import asyncio
import csv
import sys
from dataclasses import dataclass

import httpx

GEOCODER = "https://geocode.internal/search"
USER_AGENT = "crm-geocoder/1.4"


@dataclass
class Row:
    customer_id: str
    address: str
    lat: float | None = None
    lon: float | None = None


def load_rows(path: str) -> list[Row]:
    with open(path, newline="") as fh:
        return [Row(r["customer_id"], r["address"]) for r in csv.DictReader(fh)]


def write_rows(path: str, rows: list[Row]) -> None:
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["customer_id", "address", "lat", "lon"])
        for r in rows:
            out.writerow([r.customer_id, r.address, r.lat, r.lon])


async def geocode(row: Row) -> Row:
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, timeout=10) as client:  # bug: ADC402
        resp = await client.get(GEOCODER, params={"q": row.address, "format": "jsonv2", "limit": 1})
    hits = resp.json() if resp.status_code == 200 else []
    if hits:
        row.lat, row.lon = float(hits[0]["lat"]), float(hits[0]["lon"])
    return row


async def reverse_check(client: httpx.AsyncClient, rows: list[Row]) -> int:
    # the reverse endpoint is rate limited to one call per second per key
    mismatches = 0
    for r in rows[:20]:
        if r.lat is None:
            continue
        resp = await client.get(GEOCODER.replace("search", "reverse"), params={"lat": r.lat, "lon": r.lon})
        if r.address.split(",")[-1].strip() not in resp.text:
            mismatches += 1
        await asyncio.sleep(1.0)
    return mismatches


async def main(rows: list[Row]) -> tuple[list[Row], int]:
    done = await asyncio.gather(*[geocode(r) for r in rows])  # bug: ADC502
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}) as client:
        bad = await reverse_check(client, done)
    return done, bad


if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    geocoded, suspicious = asyncio.run(main(load_rows(source)))
    write_rows(target, geocoded)
    print(f"{len(geocoded)} rows written to {target}, {suspicious} suspicious in the sample")
