"""Nightly leaderboard rebuild: load all score rows off the loop, rank them, print the podium."""
import asyncio

from helper_leaderboard import Leaderboard

REGIONS = ("eu", "us", "apac", "latam")
PLAYERS = 300_000


async def fetch_page(offset, limit):
    # stands in for one round trip to the scores database
    await asyncio.sleep(0.001)
    stop = min(offset + limit, PLAYERS)
    return [(f"player{i:06d}", REGIONS[i % 4], (i * 2_654_435_761) % 1_000_003) for i in range(offset, stop)]


async def fetch_rows(page_size=10_000):
    rows = []
    for offset in range(0, PLAYERS, page_size):
        rows.extend(await fetch_page(offset, page_size))
    return rows


async def keepalive(stop, interval=0.02):
    beats = 0
    while not stop.is_set():
        await asyncio.sleep(interval)
        beats += 1
    return beats


async def main(board):
    stop = asyncio.Event()
    pinger = asyncio.create_task(keepalive(stop))
    try:
        snapshot = await board.refresh()
    finally:
        stop.set()
        await pinger
    print(snapshot.describe())
    for rank, (name, region, score) in enumerate(snapshot.top, start=1):
        print(f"#{rank} {name} ({board.region_of(name)}) {score}")


if __name__ == "__main__":
    board = Leaderboard(fetch_rows, top_n=3)
    asyncio.run(main(board))
