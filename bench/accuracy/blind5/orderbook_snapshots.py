"""Nightly job: take order book snapshots and backfill trades for the research store."""
import asyncio
import logging

import httpx

log = logging.getLogger("snapshots")

REST = "https://api.example-exchange.com/api/v3"


async def fetch_depth(symbol: str, limit: int = 500) -> dict:
    async with httpx.AsyncClient(base_url=REST, timeout=10) as client:  # bug: ADC402
        resp = await client.get("/depth", params={"symbol": symbol, "limit": limit})
        resp.raise_for_status()
        return resp.json()


async def backfill_trades(client: httpx.AsyncClient, symbol: str, from_id: int) -> list[dict]:
    """Walk the trade history forward; every page needs the last id of the previous one."""
    trades: list[dict] = []
    while True:
        resp = await client.get("/historicalTrades", params={"symbol": symbol, "fromId": from_id, "limit": 1000})
        resp.raise_for_status()
        page = resp.json()
        if not page:
            return trades
        trades.extend(page)
        from_id = page[-1]["id"] + 1


async def snapshot_all(symbols: list[str], store) -> None:
    books = {}
    for symbol in symbols:
        books[symbol] = await fetch_depth(symbol)  # bug: ADC501
    await store.write_books(books)


async def backfill_all(symbols: list[str], store) -> None:
    sem = asyncio.Semaphore(4)
    async with httpx.AsyncClient(base_url=REST, timeout=30) as client:

        async def one(symbol: str) -> None:
            async with sem:
                last = await store.last_trade_id(symbol)
                trades = await backfill_trades(client, symbol, last + 1)
            await store.write_trades(symbol, trades)
            log.info("%s: %d trades", symbol, len(trades))

        async with asyncio.TaskGroup() as tg:
            for symbol in symbols:
                tg.create_task(one(symbol))


async def run(store) -> None:
    symbols = await store.tracked_symbols()
    await snapshot_all(symbols, store)
    await backfill_all(symbols, store)
