#!/usr/bin/env python3
"""Pulls stock levels from the warehouse (legacy sync API) and pushes them to the shop."""

import asyncio
import logging
import sys
import time

import aiohttp
import requests

log = logging.getLogger("inventory-sync")

WAREHOUSE = "https://warehouse.internal/api/stock"
SHOP = "https://shop.example.com/admin/api/inventory"


def pull_stock(retries=3):
    for attempt in range(retries):
        try:
            resp = requests.get(WAREHOUSE, timeout=30)
            resp.raise_for_status()
            return resp.json()["items"]
        except requests.RequestException as exc:
            log.warning("warehouse pull failed (%s), attempt %d", exc, attempt + 1)
            time.sleep(5 * (attempt + 1))
    raise SystemExit("warehouse unreachable")


async def push_stock(items, token, limit=5):
    sem = asyncio.Semaphore(limit)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:

        async def push(item):
            async with sem:
                async with session.put(f"{SHOP}/{item['sku']}", json={"qty": item["qty"]}) as r:
                    return r.status

        statuses = await asyncio.gather(*(push(i) for i in items))
    return sum(1 for s in statuses if s < 300)


def main(argv):
    logging.basicConfig(level=logging.INFO)
    token = argv[1] if len(argv) > 1 else input("shop token: ")
    items = pull_stock()
    ok = asyncio.run(push_stock(items, token))
    log.info("pushed %d/%d items", ok, len(items))
    time.sleep(0.1)  # let log handlers flush
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
