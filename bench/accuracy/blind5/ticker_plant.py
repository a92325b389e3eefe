"""Ticker plant: merge trade feeds from several venues, publish to subscribers, archive hourly."""
import asyncio
import logging
from collections import defaultdict

import pyarrow as pa
import pyarrow.parquet as pq

log = logging.getLogger("ticker-plant")

VENUES = ("xnas", "arcx", "bats")


class TickerPlant:
    def __init__(self, feeds, archive_dir: str) -> None:
        self.feeds = feeds  # venue -> async iterator of trades
        self.archive_dir = archive_dir
        self.subscribers: dict[str, set[asyncio.Queue]] = defaultdict(set)
        self.ready = asyncio.Event()
        self._rows: list[dict] = []
        self._background: set[asyncio.Task] = set()

    def subscribe(self, symbol: str) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self.subscribers[symbol].add(queue)
        return queue

    def _publish(self, trade: dict) -> None:
        for queue in self.subscribers.get(trade["sym"], ()):
            if queue.full():
                queue.get_nowait()  # slow consumer: drop the oldest trade
            queue.put_nowait(trade)

    async def _pump(self, venue: str) -> None:
        try:
            async for trade in self.feeds[venue]:
                trade["venue"] = venue
                self._rows.append(trade)
                self._publish(trade)
                self.ready.set()
        except asyncio.CancelledError:
            log.info("%s feed stopped", venue)
            raise

    def _write_parquet(self, rows: list[dict], path: str) -> None:
        pq.write_table(pa.Table.from_pylist(rows), path, compression="zstd")

    async def archive_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            rows, self._rows = self._rows, []
            if rows:
                path = f"{self.archive_dir}/trades-{rows[0]['ts']}.parquet"
                await asyncio.to_thread(self._write_parquet, rows, path)

    def start(self) -> None:
        for coro in (*(self._pump(v) for v in VENUES), self.archive_every(3600)):
            task = asyncio.create_task(coro)
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def wait_ready(self, timeout: float = 30) -> None:
        await asyncio.wait_for(self.ready.wait(), timeout)

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
