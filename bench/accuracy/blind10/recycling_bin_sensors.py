"""Municipal smart bins: fill-level sensors report through the vendor's
websocket stream; full bins are queued for collection and the next day's
rounds are optimised in a process pool every evening."""
import asyncio
import contextlib
import json
import logging
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta

import asyncpg
import websockets

log = logging.getLogger("bins")

STREAM = "wss://stream.binsense.example/v1/events"
REPLAY = "wss://stream.binsense.example/v1/replay"
AUTH = {"Authorization": f"Bearer {os.environ.get('BINSENSE_TOKEN', '')}"}
DEPOTS = {"north": (53.812, -1.561), "south": (53.771, -1.540)}
FULL_PCT = 80


def optimise_rounds(bins: list[tuple[str, float, float]], depots: dict) -> dict[str, list[str]]:
    """Nearest-depot split, then a greedy nearest-neighbour tour per depot (CPU-bound)."""
    def d2(a, b):
        return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2

    split: dict[str, list[tuple[str, float, float]]] = {d: [] for d in depots}
    for b in bins:
        split[min(depots, key=lambda d: d2(depots[d], b[1:]))].append(b)
    rounds = {}
    for depot, todo in split.items():
        here, tour = depots[depot], []
        while todo:
            nxt = min(todo, key=lambda b: d2(here, b[1:]))
            todo.remove(nxt)
            tour.append(nxt[0])
            here = nxt[1:]
        rounds[depot] = tour
    return rounds


class BinFleet:
    def __init__(self, pool: asyncpg.Pool, procs: ProcessPoolExecutor):
        self.pool, self.procs = pool, procs
        self.levels: dict[str, int] = {}
        self.last_event_id: str | None = None

    async def apply(self, ev: dict) -> None:
        self.levels[ev["bin_id"]] = ev["fill_pct"]
        self.last_event_id = ev["id"]
        await self.pool.execute(
            "INSERT INTO bin_levels (bin_id, fill_pct, measured_at) VALUES ($1, $2, $3)",
            ev["bin_id"], ev["fill_pct"], datetime.fromisoformat(ev["measured_at"]),
        )

    async def backfill(self, after_id: str) -> int:
        ws = await websockets.connect(f"{REPLAY}?after={after_id}", additional_headers=AUTH)  # bug: ADC401
        count = 0
        async for raw in ws:
            ev = json.loads(raw)
            if ev.get("type") == "replay_done":
                break
            await self.apply(ev)
            count += 1
        return count

    async def follow(self) -> None:
        backoff = 1
        while True:
            try:
                async with websockets.connect(STREAM, additional_headers=AUTH) as ws:
                    backoff = 1
                    async for raw in ws:
                        await self.apply(json.loads(raw))  # stream order matters: levels overwrite
            except (OSError, websockets.ConnectionClosed) as exc:
                log.warning("stream dropped (%s); retry in %ss", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60)
                if self.last_event_id:
                    log.info("replayed %d events", await self.backfill(self.last_event_id))

    async def plan_evening_rounds(self) -> None:
        while True:
            now = datetime.now()
            at = now.replace(hour=18, minute=0, second=0, microsecond=0)
            await asyncio.sleep(((at if at > now else at + timedelta(days=1)) - now).total_seconds())
            rows = await self.pool.fetch("SELECT id, lat, lon FROM bins WHERE id = ANY($1::text[])",
                                         [b for b, pct in self.levels.items() if pct >= FULL_PCT])
            loop = asyncio.get_running_loop()
            rounds = await loop.run_in_executor(self.procs, optimise_rounds, [tuple(r) for r in rows], DEPOTS)
            await self.pool.execute("INSERT INTO rounds (day, plan) VALUES (current_date + 1, $1::jsonb)", json.dumps(rounds))


async def main() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    pool = await asyncpg.create_pool(os.environ["BINS_DSN"])
    with ProcessPoolExecutor(max_workers=2) as procs:
        fleet = BinFleet(pool, procs)
        tasks = [asyncio.create_task(fleet.follow()), asyncio.create_task(fleet.plan_evening_rounds())]
        await stop.wait()
        for t in tasks:
            t.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks)
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
