"""National open data catalogue: nightly harvest of local authorities' CKAN
portals. Checks that resource links resolve and announces new datasets on the
catalogue's AMQP exchange."""
import argparse
import asyncio
import json
import os
import sys
import tomllib
from datetime import datetime, timedelta, timezone

import aio_pika
import httpx

AMQP_URL = os.environ.get("AMQP_URL", "amqp://harvester@mq.catalogue.internal/")
ROWS = 100


async def changed_packages(client: httpx.AsyncClient, since: datetime):
    start = 0
    while True:
        resp = await client.get(
            "/api/3/action/package_search",
            params={"fq": f"metadata_modified:[{since:%Y-%m-%dT%H:%M:%SZ} TO NOW]", "rows": ROWS, "start": start},
        )
        resp.raise_for_status()
        result = resp.json()["result"]
        for pkg in result["results"]:
            yield pkg
        start += ROWS
        if start >= result["count"]:
            return


async def link_alive(client: httpx.AsyncClient, sem: asyncio.Semaphore, url: str) -> bool:
    async with sem:
        try:
            resp = await client.head(url, follow_redirects=True, timeout=15)
        except httpx.HTTPError:
            return False
    return resp.status_code < 400


async def announce(portal_id: str, datasets: list[dict]) -> None:
    connection = await aio_pika.connect_robust(AMQP_URL)  # bug: ADC401
    channel = await connection.channel()
    exchange = await channel.declare_exchange("catalogue", aio_pika.ExchangeType.TOPIC, durable=True)
    for ds in datasets:
        await exchange.publish(
            aio_pika.Message(json.dumps(ds).encode(), content_type="application/json"),
            routing_key=f"dataset.new.{portal_id}",
        )


async def harvest(portal: dict, since: datetime) -> dict:
    sem = asyncio.Semaphore(10)  # link checks within this harvest, at most ten at once
    async with httpx.AsyncClient(base_url=portal["url"], timeout=30, headers={"User-Agent": "national-catalogue/2.3"}) as client:
        new = [
            {"id": pkg["id"], "title": pkg["title"], "licence": pkg.get("license_id"),
             "resources": [r["url"] for r in pkg.get("resources", []) if r.get("url")]}
            async for pkg in changed_packages(client, since)
        ]
        urls = [u for ds in new for u in ds["resources"]]
        alive = await asyncio.gather(*(link_alive(client, sem, u) for u in urls))
    broken = [u for u, ok in zip(urls, alive) if not ok]
    if new:
        await announce(portal["id"], new)
    return {"portal": portal["id"], "changed": len(new), "broken_links": broken}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="/etc/catalogue/portals.toml")
    parser.add_argument("--hours", type=int, default=26)
    args = parser.parse_args()
    with open(args.config, "rb") as fh:
        portals = tomllib.load(fh)["portals"]
    since = datetime.now(timezone.utc) - timedelta(hours=args.hours)
    report = []
    for portal in portals:
        report.append(asyncio.run(harvest(portal, since)))  # bug: ADC505
        print(f"{portal['id']}: {report[-1]['changed']} changed", file=sys.stderr)
    json.dump(report, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
