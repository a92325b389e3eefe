"""Enriches a CSV of company domains with data from the enrichment API.

    python bulk_enrich.py companies.csv enriched.csv
"""

import asyncio
import csv
import logging
import sys

import aiohttp

log = logging.getLogger(__name__)
API = "https://enrich.example.com/v2/company"


async def enrich(session: aiohttp.ClientSession, domain: str) -> dict:
    async with session.get(API, params={"domain": domain}) as resp:
        if resp.status == 404:
            return {"domain": domain}
        resp.raise_for_status()
        return {"domain": domain, **await resp.json()}


async def run(domains: list[str]) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(enrich(session, d) for d in domains))  # bug: ADC502


def read_domains(path: str) -> list[str]:
    with open(path, newline="") as fh:
        return [row["domain"].strip() for row in csv.DictReader(fh) if row.get("domain")]


def write_rows(path: str, rows: list[dict]) -> None:
    fields = sorted({k for row in rows for k in row})
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    domains = read_domains(sys.argv[1])
    rows = asyncio.run(run(domains))
    write_rows(sys.argv[2], rows)
    log.info("enriched %d companies", len(rows))
