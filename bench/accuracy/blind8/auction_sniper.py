"""Bid sniper for a collectors' stamp auction site.

    python auction_sniper.py --max 120 LOT [LOT ...]   (at most 5 lots)

Logs in, waits until a few seconds before each lot closes, places one bid
at the user's maximum, then follows the lot until the site declares it
closed.
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
from datetime import datetime, timezone

import httpx

SITE = "https://auctions.philately.example/api"
LEAD_SECONDS = 6.0
MAX_LOTS = 5


async def login(client: httpx.AsyncClient, user: str, password: str) -> None:
    resp = await client.post("/session", json={"user": user, "password": password})
    resp.raise_for_status()
    client.headers["Authorization"] = f"Bearer {resp.json()['token']}"


async def get_lot(client: httpx.AsyncClient, lot_id: str) -> dict:
    for attempt in range(5):
        resp = await client.get(f"/lots/{lot_id}")
        if resp.status_code < 500:
            resp.raise_for_status()
            return resp.json()
        await asyncio.sleep(0.5 * 2 ** attempt)
    resp.raise_for_status()
    raise RuntimeError("unreachable")


async def snipe(client: httpx.AsyncClient, lot_id: str, max_bid: float) -> str:
    lot = await get_lot(client, lot_id)
    closes = datetime.fromisoformat(lot["closes_at"])
    delay = (closes - datetime.now(timezone.utc)).total_seconds() - LEAD_SECONDS
    if delay > 0:
        await asyncio.sleep(delay)
    lot = await get_lot(client, lot_id)
    if lot["current_bid"] + lot["increment"] > max_bid:
        return f"{lot_id}: already at {lot['current_bid']}, above your maximum"
    resp = await client.post(f"/lots/{lot_id}/bids", json={"amount": max_bid, "proxy": True})
    resp.raise_for_status()
    async with asyncio.timeout(LEAD_SECONDS + 120):
        while not lot["closed"]:
            await asyncio.sleep(2)
            lot = await get_lot(client, lot_id)
    won = lot["winner_is_me"]
    return f"{lot_id}: {'won' if won else 'lost'} at {lot['current_bid']}"


async def main(user: str, password: str, lots: list[str], max_bid: float) -> None:
    async with httpx.AsyncClient(base_url=SITE, timeout=10, http2=True) as client:
        await login(client, user, password)
        async with asyncio.TaskGroup() as tg:
            results = [tg.create_task(snipe(client, lot, max_bid)) for lot in lots]
    for r in results:
        print(r.result())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=float, required=True)
    parser.add_argument("--user", default=getpass.getuser())
    parser.add_argument("lots", nargs="+")
    args = parser.parse_args()
    if len(args.lots) > MAX_LOTS:
        parser.error(f"at most {MAX_LOTS} lots per run")
    secret = getpass.getpass("Password: ")
    asyncio.run(main(args.user, secret, args.lots, args.max))
