"""Job board for a regional tech network: aggregates partner companies' openings.

Postings come from each company's public Lever board, locations are geocoded
with the network's self-hosted Nominatim (which allows 4 parallel requests),
and the result is indexed into Meilisearch. Runs hourly from cron.
"""
from __future__ import annotations

import asyncio
import os
import sys

import asyncpg
import httpx
import yaml
from meilisearch_python_sdk import AsyncClient as MeiliClient

LEVER = "https://api.lever.co/v0/postings"
NOMINATIM = os.environ.get("NOMINATIM_URL", "https://geo.network.example")
GEOCODER_CONCURRENCY = 4
PAGE = 100
PAGE_PAUSE = 1.0  # Lever asks API consumers for at most one request per second


async def geocode(client: httpx.AsyncClient, place: str) -> tuple[float, float] | None:
    limiter = asyncio.Semaphore(GEOCODER_CONCURRENCY)  # bug: ADC504
    async with limiter:
        resp = await client.get("/search", params={"q": place, "format": "jsonv2", "limit": 1})
        resp.raise_for_status()
        hits = resp.json()
        return (float(hits[0]["lat"]), float(hits[0]["lon"])) if hits else None


async def load_seen(dsn: str) -> set[str]:
    conn = await asyncpg.connect(dsn)  # bug: ADC401
    rows = await conn.fetch("SELECT posting_id FROM seen_postings WHERE seen > now() - interval '60 days'")
    return {r["posting_id"] for r in rows}


async def mark_seen(dsn: str, ids: list[str]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.executemany("INSERT INTO seen_postings (posting_id, seen) VALUES ($1, now()) "
                               "ON CONFLICT (posting_id) DO UPDATE SET seen = now()", [(i,) for i in ids])
    finally:
        await conn.close()


async def company_postings(company: str, geo: httpx.AsyncClient, seen: set[str]) -> list[dict]:
    docs, skip = [], 0
    async with httpx.AsyncClient(base_url=LEVER, timeout=20) as lever:  # bug: ADC402
        while True:
            resp = await lever.get(f"/{company}", params={"mode": "json", "skip": skip, "limit": PAGE})
            resp.raise_for_status()
            page = [p for p in resp.json() if p["id"] not in seen]
            coords = await asyncio.gather(*(geocode(geo, p["categories"].get("location", "")) for p in page))
            docs += [{"id": p["id"], "company": company, "title": p["text"], "url": p["hostedUrl"],
                      "team": p["categories"].get("team"), "_geo": {"lat": c[0], "lng": c[1]} if c else None}
                     for p, c in zip(page, coords)]
            if len(resp.json()) < PAGE:
                return docs
            skip += PAGE
            await asyncio.sleep(PAGE_PAUSE)


async def run(companies: list[str], dsn: str) -> int:
    seen = await load_seen(dsn)
    docs: list[dict] = []
    async with httpx.AsyncClient(base_url=NOMINATIM, timeout=15) as geo:
        for company in companies:
            docs += await company_postings(company, geo, seen)
            await asyncio.sleep(PAGE_PAUSE)
    if docs:
        async with MeiliClient(os.environ["MEILI_URL"], os.environ["MEILI_KEY"]) as meili:
            await meili.index("jobs").add_documents(docs, primary_key="id")
        await mark_seen(dsn, [d["id"] for d in docs])
    return len(docs)


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        config = yaml.safe_load(fh)
    print(asyncio.run(run(config["companies"], config["dsn"])), "new postings")
